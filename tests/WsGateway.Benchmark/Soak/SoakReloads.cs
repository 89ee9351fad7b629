using System.Diagnostics;
using System.Globalization;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// The soak's reloads, beside its traffic: a new Probe.dll every --swap-every seconds and a new tick.csx every
/// --edit-every seconds, each followed until its new version answers.
/// </summary>
internal sealed class SoakReloads(Uri url, SoakOptions options, SoakGateway gateway, SoakStats stats)
{
    private readonly Uri _command = new(url, "/");

    public int PluginSwaps { get; private set; }
    public int ScriptEdits { get; private set; }
    public TimeSpan SlowestSwapToLive { get; private set; }

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(SwapPluginsAsync(stop), EditScriptAsync(stop));

    /// <summary>Every --swap-every seconds a new Probe.dll over the old one; waits until <c>probe</c> answers with it.</summary>
    private async Task SwapPluginsAsync(CancellationToken stop)
    {
        var next = Task.Run(() => ProbePlugin.Compile(1));
        for (int version = 1; ; version++)
        {
            if (!await DelayAsync(options.SwapEverySeconds, stop))
            {
                return;
            }

            var bytes = await next;
            int following = version + 1;
            next = Task.Run(() => ProbePlugin.Compile(following));
            await PublishAsync("probe", version, () => File.WriteAllBytes(gateway.PluginPath, bytes));
            PluginSwaps = version;
        }
    }

    /// <summary>Every --edit-every seconds tick.csx saved with a new version; waits until <c>tick</c> answers with it.</summary>
    private async Task EditScriptAsync(CancellationToken stop)
    {
        for (int version = 1; ; version++)
        {
            if (!await DelayAsync(options.EditEverySeconds, stop))
            {
                return;
            }

            await PublishAsync("tick", version, () => File.WriteAllText(gateway.TickPath, SoakGateway.TickSource(version)));
            ScriptEdits = version;
        }
    }

    /// <summary>Makes the change, then asks <paramref name="command"/> on a connection of its own until version answers.</summary>
    private async Task PublishAsync(string command, int version, Action change)
    {
        string expected = string.Create(CultureInfo.InvariantCulture, $"{command} v{version}");
        var histogram = stats.NewHistogram();
        stats.SwapStarted();
        long started = Stopwatch.GetTimestamp();
        try
        {
            using var socket = await SoakSocket.ConnectAsync(_command, CancellationToken.None);
            change();
            var deadline = started + Stopwatch.Frequency * 60;
            string reply = "";
            while (reply != expected && Stopwatch.GetTimestamp() < deadline)
            {
                Interlocked.Increment(ref stats.Requests);
                long sent = Stopwatch.GetTimestamp();
                await socket.SendAsync(command);
                while ((reply = await socket.ReceiveTextAsync()).StartsWith(SoakClients.BroadcastPrefix, StringComparison.Ordinal))
                {
                }

                SoakChecks.Expect(reply.StartsWith(command + " v", StringComparison.Ordinal), command, reply);
                Interlocked.Increment(ref stats.CommandReplies);
                stats.Replied(sent, histogram);
                if (reply != expected)
                {
                    await Task.Delay(20);
                }
            }

            var live = Stopwatch.GetElapsedTime(started);
            SlowestSwapToLive = live > SlowestSwapToLive ? live : SlowestSwapToLive;
            if (reply != expected)
            {
                stats.Error($"{command} v{version} was not live within 60 s (still \"{SoakChecks.Shorten(reply)}\")");
            }

            await socket.CloseAsync();
            // What a reload sets off (JIT of the new code, the old context unloading) may outlast the first reply.
            await Task.Delay(1000);
        }
        catch (SoakException ex)
        {
            SoakChecks.Failed(stats, $"{command} swap to v{version}", ex);
        }
        finally
        {
            stats.SwapEnded();
        }
    }

    private static async Task<bool> DelayAsync(double seconds, CancellationToken stop)
    {
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(seconds), stop);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
