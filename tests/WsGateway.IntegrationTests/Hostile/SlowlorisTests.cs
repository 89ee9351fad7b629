using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>Clients that dribble their request head one byte at a time to hold sockets open (slowloris).</summary>
[Collection(nameof(RunAloneCollection))]
public sealed class SlowlorisTests(ITestOutputHelper output)
{
    private const int Connections = 200;
    private static readonly TimeSpan ByteInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(6);

    private sealed record Dribble(bool Dropped, TimeSpan After, int BytesSent, int BytesAnswered);

    [Fact]
    public async Task Handshakes_sent_a_byte_per_100_ms_are_dropped_at_the_timeout_while_a_normal_client_is_served()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.HandshakeTimeoutSeconds = 1);
        var request = Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port));
        // At one byte per 100 ms the request would take this long to arrive whole; the timeout must cut it well before.
        Assert.True(request.Length * ByteInterval > GiveUpAfter);

        int dropped = 0;
        var clients = new List<TcpClient>();
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                clients.Add(new TcpClient { NoDelay = true });
            }

            var dribbles = clients.Select(async tcp =>
            {
                // From before connect: the gateway's clock starts at accept, which can run before this task resumes.
                var sinceConnect = Stopwatch.StartNew();
                await tcp.ConnectAsync("127.0.0.1", gateway.Port);
                return await DribbleAsync(tcp, request, sinceConnect, () => Interlocked.Increment(ref dropped));
            }).ToArray();

            // While they hold their sockets, a normal client connects and works on both routes.
            using (var echo = await gateway.ConnectAsync("/echo"))
            {
                Assert.Equal("served", await echo.AskAsync("served"));
            }

            using (var commands = await gateway.ConnectAsync("/"))
            {
                Assert.StartsWith("Commands", await commands.AskAsync("help"));
            }

            int droppedWhileServing = Volatile.Read(ref dropped);
            var results = await Task.WhenAll(dribbles);

            var after = results.Select(r => r.After.TotalMilliseconds).Order().ToArray();
            output.WriteLine($"normal client done with {droppedWhileServing} of {Connections} dropped; drops after " +
                $"{after[0]:0} to {after[^1]:0} ms (median {after[after.Length / 2]:0}); at most {results.Max(r => r.BytesSent)} bytes sent");
            Assert.True(droppedWhileServing < Connections, "the normal client was only served after every slow one had been dropped");
            Assert.All(results, r =>
            {
                Assert.True(r.Dropped, $"not dropped within {GiveUpAfter.TotalSeconds} s ({r.BytesSent} bytes sent)");
                Assert.Equal(0, r.BytesAnswered);
                Assert.True(r.BytesSent < request.Length);
                // The timeout counts from accept, which follows the start of connect.
                Assert.InRange(r.After, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
            });
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        Assert.Equal(0, gateway.Gateway.ConnectionCount);
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(gateway.HttpUri("/metrics"));
        Assert.Contains($"wsgateway_handshake_failures_total{{reason=\"timeout\"}} {Connections}", metrics);
    }

    /// <summary>
    /// Sends the request a byte at a time until the gateway closes the socket, the request is complete or
    /// <see cref="GiveUpAfter"/> has passed.
    /// </summary>
    private static async Task<Dribble> DribbleAsync(TcpClient tcp, byte[] request, Stopwatch stopwatch, Action onDropped)
    {
        var stream = tcp.GetStream();
        using var giveUp = new CancellationTokenSource(GiveUpAfter);
        var answer = new byte[1024];
        int answered = 0;
        var closed = Task.Run(async () =>
        {
            try
            {
                int n;
                while ((n = await stream.ReadAsync(answer, giveUp.Token)) > 0)
                {
                    answered += n;
                }

                return true;
            }
            catch (IOException)
            {
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        });

        int sent = 0;
        try
        {
            while (sent < request.Length && !closed.IsCompleted)
            {
                await stream.WriteAsync(request.AsMemory(sent, 1), giveUp.Token);
                sent++;
                await Task.WhenAny(closed, Task.Delay(ByteInterval, giveUp.Token));
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // Writing to a socket the gateway already closed; the read side tells what happened.
        }

        bool dropped = await closed;
        var after = stopwatch.Elapsed;
        if (dropped)
        {
            onDropped();
        }

        return new Dribble(dropped, after, sent, answered);
    }
}
