using System.Diagnostics;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

[Collection(nameof(RunAloneCollection))]
public sealed class OversizedMessageTests(ITestOutputHelper output)
{
    private const int Binary = 2, Continuation = 0;
    private const int FragmentBytes = 1024;
    private const int FrameBytes = 2 + 2 + 4 + FragmentBytes;
    private const long AllowedGrowth = 200L * 1024 * 1024;

    /// <summary>A masked frame without FIN: 16-bit length form, random mask key, random payload.</summary>
    private static void WriteFragment(Span<byte> frame, int opcode, Random random)
    {
        frame[0] = (byte)opcode;
        frame[1] = 0x80 | 126;
        frame[2] = FragmentBytes >> 8;
        frame[3] = FragmentBytes & 0xFF;
        random.NextBytes(frame[4..]);
    }

    [Fact]
    public async Task Message_one_byte_over_16_MiB_in_1_KiB_fragments_closes_with_1009_without_a_memory_blowup()
    {
        // 16 times the 1 MiB default, as an operator may allow: the limit holds across thousands of fragments.
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 16 * 1024 * 1024);
        var client = await RawWebSocketClient.ConnectAsync(gateway.Port);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        long managedBefore = GC.GetTotalMemory(forceFullCollection: true);
        long workingSetBefore = Environment.WorkingSet;
        long managedPeak = managedBefore, workingSetPeak = workingSetBefore;
        using var stopSampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                managedPeak = Math.Max(managedPeak, GC.GetTotalMemory(forceFullCollection: false));
                workingSetPeak = Math.Max(workingSetPeak, Environment.WorkingSet);
                await Task.Delay(10);
            }
        });

        var stopwatch = Stopwatch.StartNew();
        int fragments = (int)(gateway.Options.Limits.MaxMessageBytes / FragmentBytes);
        // One reused buffer of frames, so what the heap gains is the gateway's doing and not this client's garbage.
        const int FramesPerWrite = 256;
        var batch = new byte[FramesPerWrite * FrameBytes];
        var random = new Random(16);
        for (int first = 0; first < fragments; first += FramesPerWrite)
        {
            int count = Math.Min(FramesPerWrite, fragments - first);
            for (int i = 0; i < count; i++)
            {
                WriteFragment(batch.AsSpan(i * FrameBytes, FrameBytes), first + i == 0 ? Binary : Continuation, random);
            }

            await client.Stream.WriteAsync(batch.AsMemory(0, count * FrameBytes));
        }

        // Exactly the limit so far; this one byte more must fail the message.
        await client.SendFrameAsync(Continuation, [0x2A], fin: true);
        Assert.Equal(1009, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
        await stopSampling.CancelAsync();
        await sampler;

        output.WriteLine($"{fragments + 1} fragments in {stopwatch.ElapsedMilliseconds} ms; managed heap +{(managedPeak - managedBefore) >> 20} MiB, " +
            $"working set +{(workingSetPeak - workingSetBefore) >> 20} MiB at the peak");
        Assert.True(managedPeak - managedBefore < AllowedGrowth, $"managed heap grew by {(managedPeak - managedBefore) >> 20} MiB");
        Assert.True(workingSetPeak - workingSetBefore < AllowedGrowth, $"working set grew by {(workingSetPeak - workingSetBefore) >> 20} MiB");
        await client.DisposeAsync();
        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }
}
