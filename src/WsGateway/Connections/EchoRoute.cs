using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>Sends every text and binary message back unchanged (conformance tests and benchmarks).</summary>
internal sealed class EchoRoute : IWebSocketRoute
{
    public static readonly EchoRoute Instance = new();

    public string? SelectSubprotocol(IReadOnlyList<string> offered) => null;

    public ValueTask OnOpenAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

    public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload) =>
        connection.Sender.SendAsync(opcode, payload.Span);

    public ValueTask OnClosedAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

    public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}
