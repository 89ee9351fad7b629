using System.Net.WebSockets;

namespace WsGateway.IntegrationTests.Plugins;

/// <summary>Plugins dropped into and removed from a running gateway, seen by a client that stays connected.</summary>
public sealed class PluginDropInTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private string PluginFolder(string name) => Path.Combine(_gateway.Root, "plugins", name);

    [Fact]
    public async Task Dropped_in_plugin_answers_on_an_open_connection_and_removing_it_removes_its_commands()
    {
        using var client = await _gateway.ConnectAsync();
        Assert.StartsWith("error: unknown command", await client.AskAsync("hello"));

        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Tutorial"), PluginFolder("Tutorial"));
        var hello = await client.AskUntilAsync("hello", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.DoesNotContain("error:", hello);

        Assert.Equal("Nice to meet you, Ada.", await client.AskAsync("name Ada"));
        Assert.Contains("Ada", await client.AskAsync("hello"));
        Assert.Contains("plugin Tutorial", await client.AskAsync("help"));

        Directory.Delete(PluginFolder("Tutorial"), recursive: true);
        await client.AskUntilAsync("hi", r => r.StartsWith("error: unknown command", StringComparison.Ordinal), Eventually.Patience);
        Assert.Equal(WebSocketState.Open, client.State);
    }

    [Fact]
    public async Task Plugin_with_its_own_nuget_dependency_answers()
    {
        using var client = await _gateway.ConnectAsync();
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Humanize"), PluginFolder("Humanize"));
        var words = await client.AskUntilAsync("words 42", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.Equal("forty-two", words);
    }

    [Fact]
    public async Task Broken_plugin_is_logged_and_skipped_while_the_others_keep_working()
    {
        using var client = await _gateway.ConnectAsync();
        Directory.CreateDirectory(PluginFolder("Broken"));
        await File.WriteAllBytesAsync(Path.Combine(PluginFolder("Broken"), "Broken.dll"), [1, 2, 3, 4, 5]);
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Tutorial"), PluginFolder("Tutorial"));

        await client.AskUntilAsync("thanks", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        Assert.True(await Eventually.TrueAsync(() => _gateway.Logs.Messages().Any(m => m.Contains("Broken")), Eventually.Patience));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(_gateway.HttpUri("/metrics"));
        Assert.Contains("wsgateway_reloads_total{kind=\"plugin\"} 1", metrics);
        Assert.Contains("wsgateway_reload_failures_total{kind=\"plugin\"} 1", metrics);
    }

    [Fact]
    public async Task Bye_replies_then_closes_with_1000()
    {
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Tutorial"), PluginFolder("Tutorial"));
        using var client = await _gateway.ConnectAsync();
        await client.AskUntilAsync("hi", r => !r.StartsWith("error:", StringComparison.Ordinal), Eventually.Patience);
        await client.SendTextAsync("bye");
        Assert.StartsWith("Goodbye", await client.ReceiveTextAsync());
        Assert.Equal(WebSocketCloseStatus.NormalClosure, (await client.ReceiveCloseAsync()).Status);
    }
}
