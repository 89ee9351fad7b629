namespace WsGateway.IntegrationTests.Host;

/// <summary>
/// <c>Listen:InlineCompletions</c>, on by default: the host asks the runtime to run socket completions on the socket
/// engine's threads, and the gateway checks that they really do before it says so. (The warning for a process whose
/// socket engine started first is tested in WsGateway.Tests, whose process runs without inline completions.)
/// </summary>
public sealed class InlineCompletionsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-inline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Host_by_default_runs_completions_inline_and_still_echoes_small_and_large_messages()
    {
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """{ "Listen": { "Port": 0 } }""");
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        Assert.Contains(gateway.Output, line => line.Contains("Socket completions run inline", StringComparison.Ordinal));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 32));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 1024 * 1024));
    }

    [Fact]
    public async Task Host_with_the_option_off_says_nothing_about_inline_completions_even_when_its_environment_asks_for_them()
    {
        // This test process has the variable set (inline-completions.runsettings), and the host inherits it.
        Assert.Equal("1", Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"));
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """{ "Listen": { "Port": 0, "InlineCompletions": false } }""");
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 32));
        Assert.DoesNotContain(gateway.Output, line => line.Contains("Socket completions", StringComparison.Ordinal) || line.Contains("InlineCompletions", StringComparison.Ordinal));
    }
}
