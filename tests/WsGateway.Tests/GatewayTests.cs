using Serilog.Events;
using WsGateway.Options;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests;

public sealed class GatewayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("wsgateway-gateway-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_gateway_started_in_a_process_whose_sockets_already_run_warns_that_inline_completions_did_not_apply()
    {
        // This test process runs without inline completions and used sockets long before (the test host talks to its
        // runner over one), as a program embedding the gateway without calling Gateway.PrepareProcess first would.
        var log = new LogRecorder();
        var options = new GatewayOptions { BaseDirectory = _root, Listen = { Port = 0 }, Plugins = { Directory = "plugins" }, Scripts = { Directory = "scripts" } };
        Assert.True(options.Listen.InlineCompletions);
        await using var gateway = new Gateway(options, log.Logger);
        await gateway.StartAsync();

        Assert.Contains(log.Lines, l => l.Level == LogEventLevel.Warning && l.Message.Contains("Listen:InlineCompletions is on, but", StringComparison.Ordinal));
        await gateway.StopAsync();
    }
}
