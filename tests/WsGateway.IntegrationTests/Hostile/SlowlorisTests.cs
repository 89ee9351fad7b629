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

    private sealed record Dribble(bool Dropped, TimeSpan After, int BytesSent, int BytesAnswered);

    [Fact]
    public async Task Handshakes_sent_a_byte_per_100_ms_are_dropped_at_the_timeout()
    {
        var timeout = TimeSpan.FromSeconds(1);
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.HandshakeTimeoutSeconds = timeout.TotalSeconds);
        var request = Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port));
        // At one byte per 100 ms the request would take this long to arrive whole (longer on a slower machine, never
        // shorter): a gateway that answers none of them has cut every one before it was complete.
        Assert.True(request.Length * ByteInterval > 10 * timeout);

        var clients = Enumerable.Range(0, Connections).Select(_ => new TcpClient { NoDelay = true }).ToList();
        try
        {
            var results = await Task.WhenAll(clients.Select(tcp => ConnectAndDribbleAsync(gateway, tcp, request, () => { }, CancellationToken.None)));

            var after = results.Select(r => r.After.TotalMilliseconds).Order().ToArray();
            output.WriteLine($"drops after {after[0]:0} to {after[^1]:0} ms (median {after[after.Length / 2]:0}); " +
                $"at most {results.Max(r => r.BytesSent)} bytes sent");
            Assert.All(results, r =>
            {
                Assert.True(r.Dropped, $"not dropped within {Eventually.Patience.TotalSeconds} s ({r.BytesSent} bytes sent)");
                Assert.Equal(0, r.BytesAnswered);
                Assert.True(r.BytesSent < request.Length);
                // Never before the timeout, which counts from accept, which follows the start of connect. How much later
                // depends on the machine, so only the bytes bound it from above.
                Assert.True(r.After >= 0.9 * timeout, $"dropped {r.After.TotalMilliseconds:0} ms after connect");
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

    [Fact]
    public async Task A_normal_client_is_served_while_slow_handshakes_hold_their_sockets()
    {
        // A timeout none of them reaches before the normal client is done, however slow the machine: with the 1 s of
        // the test above, a busy machine dropped them all before serving the normal client, and the test proved nothing.
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.HandshakeTimeoutSeconds = Eventually.Patience.TotalSeconds);
        var request = Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port));
        int dropped = 0;
        var clients = Enumerable.Range(0, Connections).Select(_ => new TcpClient { NoDelay = true }).ToList();
        using var stop = new CancellationTokenSource();
        try
        {
            var dribbles = clients.Select(tcp => ConnectAndDribbleAsync(gateway, tcp, request, () => Interlocked.Increment(ref dropped), stop.Token)).ToArray();

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
            stop.Cancel();
            var results = await Task.WhenAll(dribbles);
            output.WriteLine($"normal client done with {droppedWhileServing} of {Connections} dropped; at most {results.Max(r => r.BytesSent)} bytes sent");
            Assert.True(droppedWhileServing < Connections, "the normal client was only served after every slow one had been dropped");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Connects <paramref name="tcp"/> to the gateway and dribbles <paramref name="request"/> (<see cref="DribbleAsync"/>).</summary>
    private static async Task<Dribble> ConnectAndDribbleAsync(
        TestGateway gateway, TcpClient tcp, byte[] request, Action onDropped, CancellationToken stop)
    {
        // From before connect: the gateway's clock starts at accept, which can run before this task resumes.
        var sinceConnect = Stopwatch.StartNew();
        await tcp.ConnectAsync("127.0.0.1", gateway.Port);
        return await DribbleAsync(tcp, request, sinceConnect, onDropped, stop);
    }

    /// <summary>
    /// Sends the request a byte at a time until the gateway closes the socket, the request is complete,
    /// <paramref name="stop"/> fires or <see cref="Eventually.Patience"/> has passed (a hang).
    /// </summary>
    private static async Task<Dribble> DribbleAsync(TcpClient tcp, byte[] request, Stopwatch stopwatch, Action onDropped, CancellationToken stop)
    {
        var stream = tcp.GetStream();
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(stop);
        giveUp.CancelAfter(Eventually.Patience);
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
