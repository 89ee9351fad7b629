using Serilog;
using WsGateway.Authentication;
using WsGateway.Connections;
using WsGateway.Diagnostics;
using WsGateway.Handshake;
using WsGateway.Http;
using WsGateway.Listening;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// The connection-limit slot an upgrade takes is given back however the connection ends, a failure between taking
/// it and running the connection included.
/// </summary>
public sealed class ConnectionSlotTests
{
    /// <summary>A route with a bug: it fails while the 101 is being prepared, after the slot was taken.</summary>
    private sealed class BrokenRoute : IWebSocketRoute
    {
        public string? SelectSubprotocol(IReadOnlyList<string> offered) => throw new InvalidOperationException("the route is broken");

        public ValueTask OnOpenAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

        public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload) => ValueTask.CompletedTask;

        public ValueTask OnClosedAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

        public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    [Fact]
    public async Task A_failure_after_the_slot_was_taken_gives_the_slot_back()
    {
        var options = new LiveOptions(new GatewayOptions { Listen = { Port = 0 }, Limits = { MaxConnections = 1 } });
        var routes = new Dictionary<string, IWebSocketRoute>(StringComparer.Ordinal) { ["/echo"] = EchoRoute.Instance, ["/broken"] = new BrokenRoute() };
        var log = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(new LogCollector()).CreateLogger();
        var decision = new UpgradeDecision(routes, new OriginPolicy(options), new HandshakeAuthentication(options, new AuthenticatorRegistry(), log));
        await using var server = new GatewayServer(options, new HttpRouter(), decision, new GatewayMetrics(), null, log);
        server.Start();
        int port = server.LocalEndPoint.Port;

        await using (var broken = await RawWebSocketClient.ConnectRawAsync(port))
        {
            await broken.SendBytesAsync(System.Text.Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(port, "/broken")));
            Assert.Equal("", await broken.ReadToEndAsync());
        }

        // The only slot is free again (once the server has finished with the dropped connection).
        var status = await Eventually.ValueAsync(
            async () =>
            {
                await using var client = await RawWebSocketClient.ConnectRawAsync(port);
                return (await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(port, "/echo"))).Split("\r\n")[0];
            },
            line => line!.StartsWith("HTTP/1.1 101", StringComparison.Ordinal),
            Eventually.Patience);
        Assert.StartsWith("HTTP/1.1 101", status);
    }
}
