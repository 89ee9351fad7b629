using System.Diagnostics;
using WsGateway.Commands;
using Xunit.Abstractions;

namespace WsGateway.Tests.Scripts;

[Collection(MeasurementCollection.Name)]
public sealed class ScriptReloadLatencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_saved_edit_goes_live_with_the_new_version()
    {
        // The start compiles the first version, which pays Roslyn's one-time start-up; the edits below do not.
        await using var h = await ScriptCatalogHarness.StartAsync([("clock.csx", "\"v0\"")]);
        var latencies = new List<TimeSpan>();

        for (var version = 1; version <= 5; version++)
        {
            var previous = h.Find("clock");
            var swapped = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            void OnChanged(CommandTable table)
            {
                if (table.TryGet("clock", out var now) && !ReferenceEquals(now, previous) && now.Problem is null)
                {
                    swapped.TrySetResult(Stopwatch.GetTimestamp());
                }
            }

            h.Registry.Changed += OnChanged;
            var written = Stopwatch.GetTimestamp();
            await h.WriteAsync("clock.csx", $"\"v{version}\"");
            var swappedAt = await swapped.Task.WaitAsync(Eventually.Patience);
            h.Registry.Changed -= OnChanged;

            latencies.Add(Stopwatch.GetElapsedTime(written, swappedAt));
            Assert.Equal([$"v{version}"], (await h.RunAsync("clock")).Replies);
        }

        output.WriteLine($"write-to-swap latencies (ms): {string.Join(", ", latencies.Select(l => (int)l.TotalMilliseconds))}");
    }
}
