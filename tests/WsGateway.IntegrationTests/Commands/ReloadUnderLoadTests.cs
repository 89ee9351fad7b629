using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.RegularExpressions;
using Serilog.Events;
using WsGateway.Benchmark.Soak;
using WsGateway.Commands;
using WsGateway.IntegrationTests.Hostile;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// Hot reload while clients keep asking: a plugin DLL replaced and a script edited over and over under 200 busy
/// connections. Every request gets exactly one reply, from the old or the new version, and nobody is dropped.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed partial class ReloadUnderLoadTests(ITestOutputHelper output)
{
    private const int Connections = 200;
    private const int PluginSwaps = 20;
    private const int ScriptEdits = 50;

    [Fact]
    public async Task Two_hundred_busy_connections_get_one_reply_per_request_through_20_plugin_swaps_and_50_script_edits()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Plugins.DebounceMilliseconds = 50;
            o.Scripts.DebounceMilliseconds = 50;
            // This test is about reloads, so every limit its traffic could reach is out of the way. Connections that ask
            // without pause exceed the default rate (50 a second, bursts of 100) on a fast machine, and on a loaded
            // one a handshake or a command can take longer than the default timeouts.
            o.Limits.MaxConnections = Connections + 10;
            o.Limits.MaxConnectionsPerIp = Connections + 10;
            o.Limits.HandshakeTimeoutSeconds = Eventually.Patience.TotalSeconds;
            o.Commands.MessagesPerSecond = 0;
            o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        var pluginFolder = Path.Combine(gateway.Root, "plugins", "Probe");
        var script = Path.Combine(gateway.Root, "scripts", "tick.csx");
        var plugins = Enumerable.Range(0, PluginSwaps + 1).Select(ProbePlugin.Compile).ToArray();

        Directory.CreateDirectory(pluginFolder);
        await PublishAsync(gateway, "probe", () => File.WriteAllBytes(Path.Combine(pluginFolder, "Probe.dll"), plugins[0]));
        await PublishAsync(gateway, "tick", () => SaveAtomically(script, "\"tick v0\""));

        var clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(_ => gateway.ConnectAsync()));
        using var stop = new CancellationTokenSource();
        var load = clients.Select(client => AskContinuouslyAsync(client, stop.Token)).ToArray();

        var swaps = Task.Run(async () =>
        {
            for (var version = 1; version <= PluginSwaps; version++)
            {
                var bytes = plugins[version];
                await PublishAsync(gateway, "probe", () => File.WriteAllBytes(Path.Combine(pluginFolder, "Probe.dll"), bytes));
            }
        });
        var edits = Task.Run(async () =>
        {
            for (var version = 1; version <= ScriptEdits; version++)
            {
                var source = $"\"tick v{version}\"";
                await PublishAsync(gateway, "tick", () => SaveAtomically(script, source));
            }
        });
        await Task.WhenAll(swaps, edits);
        stop.Cancel();
        var results = await Task.WhenAll(load);

        Assert.All(results, r => Assert.Null(r.Problem));
        Assert.All(clients, c => Assert.Equal(WebSocketState.Open, c.State));
        Assert.Empty(gateway.Logs.Messages(LogEventLevel.Warning));
        Assert.All(results, r => Assert.Equal((PluginSwaps, ScriptEdits), (r.LastProbe, r.LastTick)));
        var replies = results.Sum(r => r.Replies);
        output.WriteLine(
            $"{replies} replies on {Connections} connections through {PluginSwaps} plugin swaps and {ScriptEdits} script edits; " +
            $"worst reply latency {results.Max(r => r.WorstLatency).TotalMilliseconds:0} ms");

        await Task.WhenAll(clients.Select(c => c.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None)));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    /// <summary>Makes a change and waits until the registry serves a new version of <paramref name="command"/>.</summary>
    private static async Task PublishAsync(TestGateway gateway, string command, Action change)
    {
        gateway.Gateway.Registry.Current.TryGet(command, out var before);
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged(CommandTable table)
        {
            if (table.TryGet(command, out var now) && !ReferenceEquals(now, before) && now.Problem is null)
            {
                published.TrySetResult();
            }
        }

        gateway.Gateway.Registry.Changed += OnChanged;
        try
        {
            change();
            await published.Task.WaitAsync(Eventually.Patience);
        }
        finally
        {
            gateway.Gateway.Registry.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// Asks "probe" and "tick" in turn until stopped, one request in flight. The version in a reply may only move
    /// forward: a connection never hears from an old version after it heard from a newer one.
    /// </summary>
    private static async Task<LoadResult> AskContinuouslyAsync(ClientWebSocket client, CancellationToken stop)
    {
        var result = new LoadResult();
        var (lastProbe, lastTick) = (-1, -1);
        var clock = Stopwatch.StartNew();
        try
        {
            // One last round after the stop, so that each connection has heard the final versions.
            var final = false;
            while (!final)
            {
                final = stop.IsCancellationRequested;
                foreach (var command in (string[])["probe", "tick"])
                {
                    var asked = clock.Elapsed;
                    var reply = await client.AskAsync(command, Eventually.Patience);
                    var latency = clock.Elapsed - asked;
                    result.WorstLatency = latency > result.WorstLatency ? latency : result.WorstLatency;
                    result.Replies++;
                    var match = VersionedReply().Match(reply);
                    if (!match.Success || match.Groups["command"].Value != command)
                    {
                        result.Problem = $"\"{command}\" was answered \"{reply}\"";
                        return result;
                    }

                    var version = int.Parse(match.Groups["version"].Value);
                    ref var last = ref command == "probe" ? ref lastProbe : ref lastTick;
                    if (version < last)
                    {
                        result.Problem = $"\"{command}\" went back from v{last} to v{version}";
                        return result;
                    }

                    last = version;
                }
            }
        }
        catch (Exception ex)
        {
            result.Problem = $"{ex.GetType().Name}: {ex.Message}";
        }

        (result.LastProbe, result.LastTick) = (lastProbe, lastTick);
        return result;
    }

    [GeneratedRegex(@"^(?<command>probe|tick) v(?<version>\d+)$")]
    private static partial Regex VersionedReply();

    private sealed class LoadResult
    {
        public long Replies { get; set; }
        public TimeSpan WorstLatency { get; set; }
        public string? Problem { get; set; }
        public int LastProbe { get; set; }
        public int LastTick { get; set; }
    }

    /// <summary>
    /// Replaces the script in one rename, as many editors save. A truncate-then-write can be read between the two on a
    /// machine loaded this much (it then fails to compile, keeps the previous version and logs a warning, as designed);
    /// this test is about reloads under load, not about half-saved files.
    /// </summary>
    private static void SaveAtomically(string path, string source)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".saving");
        File.WriteAllText(temporary, source);
        File.Move(temporary, path, overwrite: true);
    }
}
