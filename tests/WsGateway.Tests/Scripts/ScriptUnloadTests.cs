using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using Xunit.Abstractions;

namespace WsGateway.Tests.Scripts;

[Collection(MeasurementCollection.Name)]
public sealed class ScriptUnloadTests(ITestOutputHelper output)
{
    /// <summary>Edits per run; WSGATEWAY_SCRIPT_EDIT_CYCLES raises it for a longer soak (see scripts/README.md).</summary>
    private static readonly int Cycles =
        int.TryParse(Environment.GetEnvironmentVariable("WSGATEWAY_SCRIPT_EDIT_CYCLES"), out var cycles) ? cycles : 200;

    /// <summary>Edits before the baseline is taken, so that one-time costs (JIT, Roslyn's caches) are not counted as growth.</summary>
    private const int WarmUpCycles = 20;

    private const long ManagedGrowthLimit = 16 * 1024 * 1024;

    /// <summary>
    /// The process may grow while the GC and the native allocator settle (about 65 MB over 200 edits, 80 MB over
    /// 500, measured); the leak this guards against grew it by 25 MB per edit.
    /// </summary>
    private const long WorkingSetGrowthLimit = 150 * 1024 * 1024;

    [Fact]
    public async Task Every_replaced_version_is_unloaded_and_memory_stays_flat_over_hundreds_of_edits()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
            [("leak.csx", "\"v0\"")],
            options => options.DebounceMilliseconds = 10);
        var versions = new List<WeakReference> { WeakLoadContext(h) };
        var baseline = default(Snapshot);
        var started = Stopwatch.GetTimestamp();

        for (var version = 1; version <= Cycles; version++)
        {
            await h.WriteAsync("leak.csx", $"// description: edit {version}\n\"v{version}\"");
            await h.RepliesAsync("leak", $"v{version}");
            versions.Add(WeakLoadContext(h));
            if (version == WarmUpCycles)
            {
                baseline = Snapshot.Take();
            }
        }

        var editing = Stopwatch.GetElapsedTime(started);
        var replaced = versions.SkipLast(1).ToList();
        Assert.True(
            await Eventually.TrueAsync(
                () =>
                {
                    Snapshot.CollectGarbage();
                    return replaced.All(v => !v.IsAlive);
                },
                TimeSpan.FromSeconds(60)),
            $"not all {replaced.Count} replaced load contexts were collected ({replaced.Count(v => v.IsAlive)} still alive)");
        var after = Snapshot.Take();

        Assert.True(versions[^1].IsAlive, "the version that answers must stay loaded");
        output.WriteLine($"{Cycles} edits in {editing.TotalSeconds:0.0} s ({editing.TotalMilliseconds / Cycles:0} ms per edit, debounce 10 ms)");
        output.WriteLine($"after {WarmUpCycles} edits: {baseline}");
        output.WriteLine($"after {Cycles} edits:  {after}");
        Assert.True(
            after.ManagedBytes - baseline.ManagedBytes < ManagedGrowthLimit,
            $"managed heap grew by {(after.ManagedBytes - baseline.ManagedBytes) / 1024} KiB");
        Assert.True(
            after.WorkingSetBytes - baseline.WorkingSetBytes < WorkingSetGrowthLimit,
            $"working set grew by {(after.WorkingSetBytes - baseline.WorkingSetBytes) / 1024 / 1024} MiB");
        Assert.True(after.LoadContexts <= baseline.LoadContexts, $"load contexts went from {baseline.LoadContexts} to {after.LoadContexts}");
    }

    // Not inlined, so that no strong reference to the context stays in a local of the test method.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference WeakLoadContext(ScriptCatalogHarness h) =>
        new(h.Catalog.LoadContextOf("leak.csx") ?? throw new InvalidOperationException("leak.csx is not loaded"));

    private readonly record struct Snapshot(long ManagedBytes, long WorkingSetBytes, long PrivateBytes, int LoadContexts)
    {
        public static void CollectGarbage()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
        }

        public static Snapshot Take()
        {
            CollectGarbage();
            using var process = Process.GetCurrentProcess();
            return new Snapshot(
                GC.GetTotalMemory(forceFullCollection: true),
                process.WorkingSet64,
                process.PrivateMemorySize64,
                AssemblyLoadContext.All.Count());
        }

        public override string ToString() =>
            $"managed {ManagedBytes / 1024 / 1024.0:0.0} MiB, working set {WorkingSetBytes / 1024 / 1024.0:0.0} MiB, " +
            $"private {PrivateBytes / 1024 / 1024.0:0.0} MiB, load contexts {LoadContexts}";
    }
}
