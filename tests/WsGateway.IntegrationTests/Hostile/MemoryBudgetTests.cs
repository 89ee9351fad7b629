using System.Net.WebSockets;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Issue 27: 1,000 connections each sending a maximal message slowly cannot push the process past the memory budget.
/// Each uploads 1 MiB to the echo route in 16 fragments, all in step, one round at a time. With the budget off the same
/// uploads held 1 GiB live and grew the working set by 1.3 GiB (7 December 2026).
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class MemoryBudgetTests(ITestOutputHelper output)
{
    private const int Clients = 1000;
    private const int MessageBytes = 1024 * 1024;
    private const long Budget = 64L * 1024 * 1024;

    // 16 fragments of 64 KiB. The gateway's first buffer for a message is 64 KiB, so the first round fits all 1,000
    // connections (62.5 MiB) and every later growth has to compete for the budget.
    private const int FragmentBytes = 64 * 1024;
    private const int Rounds = MessageBytes / FragmentBytes;

    // By the 9th fragment (576 KiB) a message has its final buffer, of 1 MiB.
    private const int RoundOfLastGrowth = 8;

    // What is live beyond the budget while the uploads run: the transports' own buffers (a 16 KiB receive buffer and a
    // 4 KiB send segment per busy connection, 20 MiB for 1,000) and the shared pool's cache of small arrays.
    private const long LiveMargin = 32L * 1024 * 1024;

    // What the working set may grow by beyond the budget: the live margin, the buffers the uploads outgrew in the last
    // round (up to a budget's worth, garbage until the next collection), and memory the GC keeps committed for reuse.
    private const long WorkingSetMargin = 3 * Budget;

    [Fact]
    public async Task Thousand_connections_each_sending_a_maximal_message_slowly_cannot_push_the_process_past_the_budget()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.MaxMessageBytes = MessageBytes;
            o.Limits.MemoryBudgetBytes = Budget;
            // Every client comes from 127.0.0.1, and a busy machine may take longer than 5 s for one of 1,000 handshakes.
            o.Limits.MaxConnectionsPerIp = 0;
            o.Limits.HandshakeTimeoutSeconds = Eventually.Patience.TotalSeconds;
            // The rounds answer every ping; the gateway's own pings would only be noise between them.
            o.Limits.KeepAliveSeconds = 0;
        });
        var budget = gateway.Gateway.Budget;
        var pattern = new byte[FragmentBytes];
        new Random(27).NextBytes(pattern);
        var firstRound = FragmentUploader.Round(pattern, first: true, last: false);
        var middleRound = FragmentUploader.Round(pattern, first: false, last: false);
        var lastRound = FragmentUploader.Round(pattern, first: false, last: true);

        var clients = new FragmentUploader[Clients];
        try
        {
            // Connecting is throttled only to stay inside the listen backlog; all of them are open at once afterwards.
            using var connecting = new SemaphoreSlim(64);
            using var connectTimeout = new CancellationTokenSource(Eventually.Patience);
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
            {
                await connecting.WaitAsync(connectTimeout.Token);
                try
                {
                    clients[i] = await FragmentUploader.ConnectAsync(gateway.Port, "/echo", connectTimeout.Token);
                }
                finally
                {
                    connecting.Release();
                }
            }));
            Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == Clients, Eventually.Patience));

            // From here on, what the process gains is the uploads' doing: the connections themselves are counted before.
            long liveBefore = GC.GetTotalMemory(forceFullCollection: true);
            long workingSetBefore = Environment.WorkingSet;
            long livePeak = liveBefore, workingSetPeak = workingSetBefore, usedPeak = 0;
            using var stopSampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!stopSampling.IsCancellationRequested)
                {
                    usedPeak = Math.Max(usedPeak, budget.Used);
                    workingSetPeak = Math.Max(workingSetPeak, Environment.WorkingSet);
                    await Task.Delay(5);
                }
            });

            // Each round waits for the pong of every connection still open, so all the uploads are partly received at
            // once. After each, a full collection measures what is live: the budget bounds the buffers in use, while
            // buffers a message outgrew are garbage that waits for the GC as any garbage does.
            int survivors = 0;
            for (int round = 0; round < Rounds; round++)
            {
                var bytes = round == 0 ? firstRound : round == Rounds - 1 ? lastRound : middleRound;
                using var roundTimeout = new CancellationTokenSource(Eventually.Patience);
                await Task.WhenAll(clients.Where(c => c.CloseCode is null).Select(c => c.RoundAsync(bytes, pattern, roundTimeout.Token)));
                long live = GC.GetTotalMemory(forceFullCollection: true);
                livePeak = Math.Max(livePeak, live);
                output.WriteLine($"round {round}: {clients.Count(c => c.CloseCode is null)} open, {budget.Used >> 10} KiB reserved, " +
                    $"live +{(live - liveBefore) >> 10} KiB, working set +{(Environment.WorkingSet - workingSetBefore) >> 20} MiB");
                if (round == 0)
                {
                    // All 1,000 hold their first buffer; nobody was refused yet.
                    Assert.All(clients, c => Assert.Null(c.CloseCode));
                    Assert.True(await Eventually.TrueAsync(() => budget.Used == (long)Clients * FragmentBytes, Eventually.Patience), $"{budget.Used} bytes reserved");
                }
                else if (round == RoundOfLastGrowth)
                {
                    // Each connection left holds a 1 MiB buffer now: no more than the budget has room for.
                    survivors = clients.Count(c => c.CloseCode is null);
                    Assert.InRange(survivors, 1, Budget / MessageBytes);
                    Assert.True(await Eventually.TrueAsync(() => budget.Used == (long)survivors * MessageBytes, Eventually.Patience), $"{budget.Used} bytes reserved");
                }
            }

            await stopSampling.CancelAsync();
            await sampler;

            int echoed = clients.Count(c => c.Echoed);
            int refused = clients.Count(c => c.CloseCode == 1013);
            output.WriteLine($"{echoed} messages echoed, {refused} connections closed with 1013, {budget.Refusals} refusals; " +
                $"at most {usedPeak >> 20} MiB of the {Budget >> 20} MiB budget reserved; at the peak live managed heap " +
                $"+{(livePeak - liveBefore) >> 20} MiB, working set +{(workingSetPeak - workingSetBefore) >> 20} MiB");
            // A survivor's echo is reserved too, while its received message still holds its share: when the budget is
            // full, that echo is refused and its connection closed with 1013 like the others.
            Assert.InRange(echoed, 1, survivors);
            Assert.Equal(Clients, echoed + refused);
            Assert.Equal(refused, budget.Refusals);
            // Pongs and close frames are never refused (a few bytes each, so a full budget can still answer a ping and
            // end a connection): at most one of each per connection past the budget.
            Assert.InRange(usedPeak, 0, Budget + (long)Clients * 2 * (2 + 125));
            Assert.True(livePeak - liveBefore < Budget + LiveMargin, $"live managed heap grew by {(livePeak - liveBefore) >> 20} MiB");
            Assert.True(workingSetPeak - workingSetBefore < Budget + WorkingSetMargin, $"working set grew by {(workingSetPeak - workingSetBefore) >> 20} MiB");
        }
        finally
        {
            foreach (var client in clients)
            {
                if (client is not null)
                {
                    await client.DisposeAsync();
                }
            }
        }

        Assert.True(await Eventually.TrueAsync(() => gateway.Gateway.ConnectionCount == 0, Eventually.Patience), $"{gateway.Gateway.ConnectionCount} still open");
        Assert.True(await Eventually.TrueAsync(() => budget.Used == 0, Eventually.Patience), $"{budget.Used} bytes still reserved");
        Assert.Equal(0, await gateway.MetricAsync("wsgateway_buffered_bytes"));
        Assert.Equal(budget.Refusals, await gateway.MetricAsync("wsgateway_memory_budget_refusals_total"));

        // The budget is whole again: a new connection gets a maximal message through.
        using var late = await gateway.ConnectAsync("/echo");
        using var lateTimeout = new CancellationTokenSource(Eventually.Patience);
        var message = new byte[MessageBytes];
        new Random(28).NextBytes(message);
        await late.SendAsync(message, WebSocketMessageType.Binary, endOfMessage: true, lateTimeout.Token);
        var echo = new byte[MessageBytes];
        int received = 0;
        while (received < MessageBytes)
        {
            var result = await late.ReceiveAsync(echo.AsMemory(received), lateTimeout.Token);
            received += result.Count;
            if (result.EndOfMessage)
            {
                break;
            }
        }

        Assert.Equal(message, echo.AsSpan(0, received).ToArray());
    }
}
