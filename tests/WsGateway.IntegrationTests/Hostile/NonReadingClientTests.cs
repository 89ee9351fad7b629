using System.Diagnostics;
using WsGateway.Commands;
using WsGateway.Contracts;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// A client that never reads costs the gateway at most its send buffer (<c>Limits:SendBufferBytes</c>), whatever a
/// command sends it: a command that awaits its replies is paced by the client and cut off when the client goes; one
/// that does not await gets the client dropped at the cap. Measured as the gateway's buffered bytes and as this
/// process's resident memory, before and after.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class NonReadingClientTests(ITestOutputHelper output)
{
    private const int ReplyBytes = 1024;

    // 300 MB of replies: the flood that took the gateway from 199 MB to 513 MB resident before replies were paced.
    private const int Replies = 300_000;
    private const long Cap = 1024 * 1024;

    // The cap plus the runtime's own slack (GC budgets, thread stacks, the test's garbage); far below the flood.
    private const long AllowedGrowth = Cap + 96L * 1024 * 1024;

    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");
    private static readonly string Reply = new('r', ReplyBytes);

    [Fact]
    public async Task Reply_loop_to_a_client_that_never_reads_is_paced_by_it_and_cut_off_when_it_goes()
    {
        int sent = 0;
        var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await StartAsync(Command("flood", async ctx =>
        {
            try
            {
                for (int i = 0; i < Replies; i++)
                {
                    await ctx.ReplyAsync(Reply);
                    Interlocked.Increment(ref sent);
                }

                ended.TrySetResult(null);
            }
            catch (Exception ex)
            {
                ended.TrySetResult(ex);
                throw;
            }
        }));
        var client = await RawWebSocketClient.ConnectAsync(gateway.Port, "/");
        await using var memory = MemorySampler.Start(gateway);

        await client.SendTextAsync("flood");

        // The socket buffers fill, then 64 KiB wait behind them, and the command waits for the client.
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.Budget.Used >= 64 * 1024, Eventually.Patience));
        Assert.False(ended.Task.IsCompleted, $"the command ran to its end ({Volatile.Read(ref sent)} replies) although nobody read them");
        memory.Report(output, $"{Volatile.Read(ref sent)} replies sent");
        Assert.True(memory.PeakBuffered <= Cap, $"{memory.PeakBuffered} bytes buffered for one client");
        Assert.True(memory.WorkingSetGrowth < AllowedGrowth, $"working set grew by {memory.WorkingSetGrowth >> 20} MiB");

        // The client goes: the waiting reply fails, the next one says so, and the loop ends.
        await client.DisposeAsync();
        var failure = await ended.Task.WaitAsync(Eventually.Patience);
        Assert.IsAssignableFrom<OperationCanceledException>(failure);
        Assert.True(Volatile.Read(ref sent) < Replies);
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.Budget.Used == 0, Eventually.Patience));
    }

    [Fact]
    public async Task Replies_not_awaited_to_a_client_that_never_reads_get_it_dropped_at_its_cap()
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var gateway = await StartAsync(Command("flood", ctx =>
        {
            for (int i = 0; i < Replies; i++)
            {
                // Fire and forget: nothing paces this loop; only the cap can stop what it queues.
                var reply = ctx.ReplyAsync(Reply);
                if (reply.IsFaulted)
                {
                    break;
                }
            }

            ended.TrySetResult();
            return ValueTask.CompletedTask;
        }));
        var client = await RawWebSocketClient.ConnectAsync(gateway.Port, "/");
        await using var memory = MemorySampler.Start(gateway);

        await client.SendTextAsync("flood");

        await ended.Task.WaitAsync(Eventually.Patience);
        Assert.True(await Eventually.TrueAsync(() => gateway.Logs.Messages().Any(m => m.StartsWith("Send buffer of", StringComparison.Ordinal)), Eventually.Patience));
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0 && gateway.Gateway.Budget.Used == 0, Eventually.Patience));
        memory.Report(output, "dropped");
        Assert.True(memory.PeakBuffered <= Cap + ReplyBytes + 16, $"{memory.PeakBuffered} bytes buffered for one client");
        Assert.True(memory.WorkingSetGrowth < AllowedGrowth, $"working set grew by {memory.WorkingSetGrowth >> 20} MiB");
        await client.DisposeAsync();
    }

    private static async Task<TestGateway> StartAsync(CommandDescriptor command)
    {
        var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.SendBufferBytes = Cap;
            o.Commands.TimeoutSeconds = 10 * Eventually.Patience.TotalSeconds;
        });
        gateway.Gateway.Registry.SetSource("test", [command]);
        return gateway;
    }

    private static CommandDescriptor Command(string name, Func<ICommandContext, ValueTask> run) =>
        new(name, $"test command {name}", TestOrigin, run);

    /// <summary>Peak buffered bytes and resident memory, sampled from before the flood until disposed.</summary>
    private sealed class MemorySampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly long _workingSetBefore;
        private long _peakBuffered;
        private long _peakWorkingSet;
        private readonly Task _sampling;

        private MemorySampler(TestGateway gateway)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            _workingSetBefore = _peakWorkingSet = process.WorkingSet64;
            _sampling = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    Sample(gateway);
                    await Task.Delay(5);
                }
            });
        }

        public long PeakBuffered => Volatile.Read(ref _peakBuffered);
        public long WorkingSetGrowth => Volatile.Read(ref _peakWorkingSet) - _workingSetBefore;

        public static MemorySampler Start(TestGateway gateway) => new(gateway);

        public void Report(ITestOutputHelper output, string when) =>
            output.WriteLine($"{when}: at most {PeakBuffered} bytes buffered; working set +{WorkingSetGrowth >> 20} MiB at the peak");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _sampling;
            _stop.Dispose();
        }

        private void Sample(TestGateway gateway)
        {
            long buffered = gateway.Gateway.Budget.Used;
            if (buffered > Volatile.Read(ref _peakBuffered))
            {
                Volatile.Write(ref _peakBuffered, buffered);
            }

            using var process = Process.GetCurrentProcess();
            long workingSet = process.WorkingSet64;
            if (workingSet > Volatile.Read(ref _peakWorkingSet))
            {
                Volatile.Write(ref _peakWorkingSet, workingSet);
            }
        }
    }
}
