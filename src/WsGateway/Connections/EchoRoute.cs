using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>Sends every text and binary message back unchanged (conformance tests and benchmarks).</summary>
internal sealed class EchoRoute : IWebSocketRoute
{
    public static readonly EchoRoute Instance = new();

    public string? SelectSubprotocol(IReadOnlyList<string> offered) => null;

    public ValueTask OnOpenAsync(WebSocketConnection connection) => ValueTask.CompletedTask;

    public ValueTask OnMessageAsync(WebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload) =>
        connection.SendAsync(opcode, payload);

    public ValueTask OnClosedAsync(WebSocketConnection connection) => ValueTask.CompletedTask;

    public Task DrainAsync(WebSocketConnection connection, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
}
