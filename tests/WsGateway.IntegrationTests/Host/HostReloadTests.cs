namespace WsGateway.IntegrationTests.Host;

/// <summary>Editing gateway.json of a running host.</summary>
public sealed class HostReloadTests : IDisposable
{
    private static readonly TimeSpan Patience = Eventually.Patience;
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-reload-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Editing_the_message_limit_applies_to_new_messages_without_restart()
    {
        WriteConfiguration(maxMessageBytes: 1024);
        await using var gateway = await GatewayProcess.StartAsync(_folder);
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 100));

        WriteConfiguration(maxMessageBytes: 64);
        Assert.Equal("closed 1009", await EchoProbe.EventuallyAsync(gateway.Port, 100, "closed 1009", Patience));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 64));
        Assert.True(await gateway.WaitForOutputAsync(line => line.Contains("Configuration reloaded from", StringComparison.Ordinal), Patience));
    }

    [Fact]
    public async Task One_copy_of_a_new_file_logs_one_reload_and_a_copy_of_the_same_file_logs_none()
    {
        WriteConfiguration(maxMessageBytes: 1024);
        await using var gateway = await GatewayProcess.StartAsync(_folder);
        var staged = Path.Combine(_folder, "staged.json");
        WriteConfiguration(maxMessageBytes: 2048, path: staged);

        // As `cp staged.json gateway.json` does: truncate, write, close.
        File.Copy(staged, Path.Combine(_folder, "gateway.json"), overwrite: true);
        Assert.True(await gateway.WaitForOutputAsync(line => line.EndsWith("changed: [\"Limits:MaxMessageBytes\"]", StringComparison.Ordinal), Patience));
        File.Copy(staged, Path.Combine(_folder, "gateway.json"), overwrite: true);

        // A later edit marks the end: whatever the two copies logged is in the output before its line.
        WriteConfiguration(maxMessageBytes: 4096, level: "Debug");
        Assert.True(await gateway.WaitForOutputAsync(line => line.Contains("Serilog:MinimumLevel", StringComparison.Ordinal), Patience));
        Assert.Equal(2, gateway.Output.Count(line => line.Contains("Configuration reloaded from", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Invalid_edits_are_refused_with_a_warning_and_the_running_limit_stays()
    {
        WriteConfiguration(maxMessageBytes: 64);
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        WriteConfiguration(maxMessageBytes: 0);
        Assert.True(await gateway.WaitForOutputAsync(
            line => line.Contains("WRN", StringComparison.Ordinal) && line.EndsWith(
                "Configuration reload refused: Limits:MaxMessageBytes must be between 1 and 2147483583 (was 0)", StringComparison.Ordinal),
            Patience), string.Join('\n', gateway.Output));
        // Still 64, neither 0 nor the 1 MiB default.
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 64));
        Assert.Equal("closed 1009", await EchoProbe.SendAsync(gateway.Port, 65));

        // A half-written file must not read as "every key at its default" either.
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """{ "Listen": { "Port": 0 }, "Limits": { """);
        Assert.True(await gateway.WaitForOutputAsync(
            line => line.Contains("Configuration reload refused: ", StringComparison.Ordinal) &&
                    line.Contains("Could not parse the JSON file", StringComparison.Ordinal),
            Patience), string.Join('\n', gateway.Output));
        Assert.Equal("closed 1009", await EchoProbe.SendAsync(gateway.Port, 65));

        WriteConfiguration(maxMessageBytes: 1024);
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.EventuallyAsync(gateway.Port, 65, EchoProbe.Echoed, Patience));
    }

    [Fact]
    public async Task Changing_the_port_while_running_warns_that_it_needs_a_restart()
    {
        WriteConfiguration(maxMessageBytes: 1024);
        await using var gateway = await GatewayProcess.StartAsync(_folder);

        WriteConfiguration(maxMessageBytes: 1024, port: 1);
        Assert.True(await gateway.WaitForOutputAsync(
            line => line.Contains("WRN", StringComparison.Ordinal) && line.EndsWith(
                "Configuration keys [\"Listen:Port\"] changed; they take effect after a restart", StringComparison.Ordinal),
            Patience), string.Join('\n', gateway.Output));
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 10));
    }

    [Fact]
    public async Task Editing_the_minimum_level_applies_without_restart()
    {
        WriteConfiguration(maxMessageBytes: 1024, level: "Information");
        await using var gateway = await GatewayProcess.StartAsync(_folder);
        Assert.Equal(EchoProbe.Echoed, await EchoProbe.SendAsync(gateway.Port, 10));
        Assert.DoesNotContain(gateway.Output, line => line.Contains(" DBG ", StringComparison.Ordinal));

        WriteConfiguration(maxMessageBytes: 1024, level: "Debug");
        // Each connection logs at Debug once the level allows it.
        var debugLines = await Eventually.ValueAsync(
            async () =>
            {
                await EchoProbe.SendAsync(gateway.Port, 10);
                return gateway.Output.Count(line => line.Contains(" DBG ", StringComparison.Ordinal));
            },
            count => count > 0,
            Patience);
        Assert.True(debugLines > 0, string.Join('\n', gateway.Output));
    }

    private void WriteConfiguration(int maxMessageBytes, int port = 0, string level = "Information", string? path = null) =>
        File.WriteAllText(path ?? Path.Combine(_folder, "gateway.json"), $$"""
            {
              "Listen": { "Port": {{port}} },
              "Limits": { "MaxMessageBytes": {{maxMessageBytes}} },
              "Plugins": { "Directory": "plugins" },
              "Shutdown": { "DrainSeconds": 3 },
              "Serilog": { "MinimumLevel": { "Default": "{{level}}" } }
            }
            """);
}
