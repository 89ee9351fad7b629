using WsGateway.Connections;
using WsGateway.Protocol;

namespace WsGateway.Tests.Commands;

/// <summary>Passes everything to the real route, and tells the test when a drain has started.</summary>
internal sealed class DrainWatchingRoute(IWebSocketRoute inner) : IWebSocketRoute
{
    public TaskCompletionSource DrainStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string? SelectSubprotocol(IReadOnlyList<string> offered) => inner.SelectSubprotocol(offered);

    public ValueTask OnOpenAsync(IWebSocketConnection connection) => inner.OnOpenAsync(connection);

    public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload) =>
        inner.OnMessageAsync(connection, opcode, payload);

    public ValueTask OnClosedAsync(IWebSocketConnection connection) => inner.OnClosedAsync(connection);

    public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken)
    {
        DrainStarted.TrySetResult();
        return inner.DrainAsync(connection, reason, cancellationToken);
    }
}
