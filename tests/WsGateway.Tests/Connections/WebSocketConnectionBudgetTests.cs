using Serilog.Events;
using WsGateway.Protocol;
using WsGateway.Tests.InMemory;

namespace WsGateway.Tests.Connections;

/// <summary>
/// The receive loop against <c>Limits:MemoryBudgetBytes</c>: a message whose buffer the budget refuses closes its
/// connection with 1013, is logged and counted, and gives its share back at once.
/// </summary>
public sealed class WebSocketConnectionBudgetTests
{
    // A first fragment of 1,000 bytes takes a 1 KiB buffer, which this budget holds; a second one needs a 2 KiB buffer
    // beside it while the bytes are copied over, which it does not.
    private const int Budget = 1024;
    private const int Fragment = 1000;

    [Fact]
    public async Task A_message_the_budget_cannot_hold_closes_with_1013_is_logged_and_counted_and_frees_its_buffer_at_once()
    {
        var route = new StubRoute();
        // The close handshake may last longer than the test waits for the budget: the share must come back before it.
        await using var harness = InMemoryConnection.Start(route, o =>
        {
            o.Limits.MemoryBudgetBytes = Budget;
            o.Limits.CloseTimeoutSeconds = 2 * Eventually.Patience.TotalSeconds;
        });

        await harness.Client.SendFrameAsync(Opcode.Binary, new byte[Fragment], fin: false);
        await harness.Client.SendFrameAsync(Opcode.Continuation, new byte[Fragment]);
        var close = Assert.Single(await harness.Client.ReadUntilCloseAsync());

        Assert.Equal(CloseStatus.TryAgainLater, close.CloseCode);
        Assert.Equal("server busy: memory budget", close.CloseReason);
        Assert.Equal(1, harness.Budget.Refusals);
        // Before the client answers the close: a refused connection must not sit on its share during the handshake.
        Assert.True(await Eventually.TrueAsync(() => harness.Budget.Used == 0, Eventually.Patience), $"{harness.Budget.Used} bytes still reserved");
        // The reason is logged off the receive loop's thread, once the loop has ended: maybe a moment after the close.
        static bool IsClosing(LogEvent e) => e.MessageTemplate.Text.StartsWith("Closing {SessionId} with {CloseCode}", StringComparison.Ordinal);
        Assert.True(await Eventually.TrueAsync(() => harness.Log.Events.Any(IsClosing), Eventually.Patience), "the close was not logged");
        var logged = Assert.Single(harness.Log.Events, IsClosing);
        Assert.Equal(LogEventLevel.Information, logged.Level);
        Assert.Equal("\"in-memory-1\"", logged.Properties["SessionId"].ToString());
        Assert.Equal("1013", logged.Properties["CloseCode"].ToString());

        var (after, aborted) = await harness.AnswerCloseAsync(CloseStatus.TryAgainLater);
        Assert.Empty(after);
        Assert.False(aborted);
        Assert.Equal(0, route.Waiting);
    }

    [Fact]
    public async Task A_message_within_the_budget_is_delivered_and_its_buffer_released_before_the_next_read()
    {
        var route = new StubRoute();
        await using var harness = InMemoryConnection.Start(route, o => o.Limits.MemoryBudgetBytes = Budget);

        for (int i = 0; i < 3; i++)
        {
            await harness.Client.SendFrameAsync(Opcode.Binary, new byte[Budget]);
            var (_, payload) = await route.NextMessageAsync();
            Assert.Equal(Budget, payload.Length);
        }

        Assert.True(await Eventually.TrueAsync(() => harness.Budget.Used == 0, Eventually.Patience), $"{harness.Budget.Used} bytes still reserved");
        Assert.Equal(0, harness.Budget.Refusals);
    }
}
