using System.Diagnostics;
using System.Net.WebSockets;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

[Collection(nameof(RunAloneCollection))]
public sealed class ConcurrentConnectionsTests(ITestOutputHelper output)
{
    private const int Connections = 1000;

    [Fact]
    public async Task Thousand_concurrent_connections_each_get_their_reply_and_close_cleanly()
    {
        // Every client comes from 127.0.0.1; the per-address limit (1000 by default) is not what this test is about. Nor
        // is the 5 s a client has for its head: with 64 connects at a time on a busy machine, one may need longer.
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.MaxConnectionsPerIp = 0;
            o.Limits.HandshakeTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        SayCommand.AddTo(gateway);
        var clients = new ClientWebSocket[Connections];
        var stopwatch = Stopwatch.StartNew();
        try
        {
            // Connecting is throttled only to stay inside the listen backlog; all of them are open at once afterwards.
            using var connecting = new SemaphoreSlim(64);
            await Task.WhenAll(Enumerable.Range(0, Connections).Select(async i =>
            {
                await connecting.WaitAsync();
                try
                {
                    clients[i] = await gateway.ConnectAsync("/");
                }
                finally
                {
                    connecting.Release();
                }
            }));
            var connected = stopwatch.Elapsed;
            Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == Connections, Eventually.Patience),
                $"{gateway.Gateway.ConnectionCount} open");

            var replies = await Task.WhenAll(clients.Select((client, i) => client.AskAsync($"say client {i}")));
            for (int i = 0; i < Connections; i++)
            {
                Assert.Equal($"client {i}", replies[i]);
            }

            var answered = stopwatch.Elapsed;
            await Task.WhenAll(clients.Select(async client =>
            {
                using var timeout = new CancellationTokenSource(Eventually.Patience);
                await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }));
            Assert.All(clients, client =>
            {
                Assert.Equal(WebSocketState.Closed, client.State);
                Assert.Equal(WebSocketCloseStatus.NormalClosure, client.CloseStatus);
            });
            Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0, Eventually.Patience),
                $"{gateway.Gateway.ConnectionCount} still open");
            output.WriteLine($"{Connections} connected in {connected.TotalMilliseconds:0} ms, answered by {answered.TotalMilliseconds:0} ms, " +
                $"all closed by {stopwatch.ElapsedMilliseconds} ms");
        }
        finally
        {
            foreach (var client in clients)
            {
                client?.Dispose();
            }
        }
    }
}
