using Serilog.Events;
using WsGateway.Transport;

namespace WsGateway.IntegrationTests.Host;

/// <summary>
/// <c>Listen:InlineCompletions</c>: the host asks the runtime to run socket completions on the socket engine's thread,
/// and the gateway checks that they really do before it says so.
/// </summary>
public sealed class InlineCompletionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-inline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Host_with_the_option_runs_completions_inline_and_still_echoes_small_and_large_messages()
    {
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """{ "Listen": { "Port": 0, "InlineCompletions": true } }""");
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        Assert.Contains(gateway.Output, line => line.Contains("Socket completions run inline", StringComparison.Ordinal));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 32));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 1024 * 1024));
    }

    [Fact]
    public async Task Host_without_the_option_says_nothing_about_inline_completions()
    {
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """{ "Listen": { "Port": 0 } }""");
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 32));
        Assert.DoesNotContain(gateway.Output, line => line.Contains("Socket completions", StringComparison.Ordinal) || line.Contains("InlineCompletions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Gateway_started_in_a_process_whose_sockets_already_run_warns_that_the_option_did_not_apply()
    {
        // The test process has used sockets long before (and never asked for inline completions).
        await using var gateway = await TestGateway.StartAsync(o => o.Listen.InlineCompletions = true);

        Assert.Contains(gateway.Logs.Messages(LogEventLevel.Warning), m => m.Contains("Listen:InlineCompletions is on, but", StringComparison.Ordinal));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 32));
    }
}
