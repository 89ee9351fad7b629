using System.Net.WebSockets;

namespace WsGateway.IntegrationTests.Scripts;

/// <summary>Script files edited on disk under a running gateway, seen by a client that stays connected.</summary>
public sealed class ScriptEditTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    // A script's first call loads and JITs its assembly, which can take seconds on a busy machine.
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private string ScriptPath(string name) => Path.Combine(_gateway.Root, "scripts", name);


    [Fact]
    public async Task Saved_edits_go_live_broken_edits_keep_the_old_version_and_deletes_remove_the_command()
    {
        using var client = await _gateway.ConnectAsync();
        await File.WriteAllTextAsync(ScriptPath("weather.csx"), "// description: Today's weather\n\"sunny\"");
        Assert.Equal("sunny", await client.AskUntilAsync("weather", r => r == "sunny", Eventually.Patience));

        await File.WriteAllTextAsync(ScriptPath("weather.csx"), "// description: Today's weather\n$\"rainy in {Args}\"");
        Assert.Equal("rainy in Oslo", await client.AskUntilAsync("weather Oslo", r => r.StartsWith("rainy", StringComparison.Ordinal), Eventually.Patience));

        await File.WriteAllTextAsync(ScriptPath("weather.csx"), "var x = ;\n\"broken\"");
        Assert.True(await Eventually.TrueAsync(
            () => _gateway.Logs.Messages().Any(m => m.Contains("weather.csx") && m.Contains("(1,9)")), Eventually.Patience));
        Assert.Equal("rainy in Bergen", await client.AskAsync("weather Bergen"));

        // The compiler's error is logged just before the catalog publishes the broken entry: poll, do not race it.
        var help = await client.AskUntilAsync("help weather", r => r.Contains("BROKEN", StringComparison.Ordinal), Eventually.Patience);
        Assert.Contains("BROKEN", help);
        Assert.Contains("weather.csx(1,9)", help);

        await File.WriteAllTextAsync(ScriptPath("weather.csx"), "\"fixed\"");
        Assert.Equal("fixed", await client.AskUntilAsync("weather", r => r == "fixed", Eventually.Patience));
        Assert.DoesNotContain("BROKEN", await client.AskAsync("help weather"));

        File.Delete(ScriptPath("weather.csx"));
        await client.AskUntilAsync("weather", r => r.StartsWith("error: unknown command", StringComparison.Ordinal), Eventually.Patience);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Throwing_and_hanging_scripts_fail_only_that_call()
    {
        var gateway = _gateway;
        using var client = await gateway.ConnectAsync();
        await File.WriteAllTextAsync(Path.Combine(gateway.Root, "scripts", "oops.csx"), "throw new InvalidOperationException(\"script broke\");");
        await File.WriteAllTextAsync(Path.Combine(gateway.Root, "scripts", "stuck.csx"), "await Task.Delay(-1);");
        var oops = await client.AskUntilAsync("oops", r => !r.StartsWith("error: unknown", StringComparison.Ordinal), Eventually.Patience);
        Assert.Contains("script broke", oops);
        // "stuck" never ends, so no timeout is too short for it; the commands before and after it get all the time they need.
        SetCommandTimeout(TimeSpan.FromSeconds(1));
        var stuck = await client.AskUntilAsync("stuck", r => !r.StartsWith("error: unknown", StringComparison.Ordinal), Eventually.Patience);
        Assert.Contains("timed out", stuck);
        SetCommandTimeout(Eventually.Patience);
        Assert.Contains("help", await client.AskAsync("help"));
    }

    /// <summary>Reloads Commands:TimeoutSeconds as an operator would: each command gets the timeout in force when it starts.</summary>
    private void SetCommandTimeout(TimeSpan timeout)
    {
        var current = _gateway.Gateway.Options.Current;
        Assert.Empty(_gateway.Gateway.Options.Reload(current with { Commands = current.Commands with { TimeoutSeconds = timeout.TotalSeconds } }));
    }
}
