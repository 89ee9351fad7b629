using System.Threading.Channels;
using WsGateway.Connections;
using WsGateway.Protocol;

namespace WsGateway.Tests.InMemory;

/// <summary>A route that records what reaches it and does what the test tells it to with each message.</summary>
internal sealed class StubRoute : IWebSocketRoute
{
    private readonly Channel<(Opcode Opcode, byte[] Payload)> _messages = Channel.CreateUnbounded<(Opcode, byte[])>();

    /// <summary>Runs for each message after it is recorded; by default nothing happens.</summary>
    public Func<IWebSocketConnection, Opcode, ReadOnlyMemory<byte>, ValueTask>? OnMessage { get; init; }

    /// <summary>Completes when the connection told the route it is gone.</summary>
    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Messages recorded and not yet taken by <see cref="NextMessageAsync"/>.</summary>
    public int Waiting => _messages.Reader.Count;

    public string? SelectSubprotocol(IReadOnlyList<string> offered) => null;

    public ValueTask OnOpenAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

    public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload)
    {
        _messages.Writer.TryWrite((opcode, payload.ToArray()));
        return OnMessage?.Invoke(connection, opcode, payload) ?? ValueTask.CompletedTask;
    }

    public ValueTask OnClosedAsync(IWebSocketConnection connection)
    {
        Closed.TrySetResult();
        return ValueTask.CompletedTask;
    }

    public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<(Opcode Opcode, byte[] Payload)> NextMessageAsync() =>
        await _messages.Reader.ReadAsync().AsTask().WaitAsync(InMemoryTransport.Patience);
}
