using System.Net;
using Serilog;
using WsGateway.Contracts;

namespace WsGateway.Tests.Scripts;

/// <summary>A command context that records what the command sent instead of writing to a socket.</summary>
internal sealed class RecordingCommandContext(string commandName, string arguments = "", ILogger? logger = null)
    : ICommandContext
{
    private readonly Lock _gate = new();
    private readonly List<string> _replies = [];
    private readonly List<string> _broadcasts = [];

    public string CommandName { get; } = commandName;
    public string Arguments { get; } = arguments;
    public ISession Session { get; } = new TestSession();
    public ILogger Logger { get; } = logger ?? Serilog.Core.Logger.None;
    public CancellationToken CancellationToken { get; init; }

    public (int Code, string Reason)? Closed { get; private set; }

    public IReadOnlyList<string> Replies
    {
        get
        {
            lock (_gate)
            {
                return [.. _replies];
            }
        }
    }

    public IReadOnlyList<string> Broadcasts
    {
        get
        {
            lock (_gate)
            {
                return [.. _broadcasts];
            }
        }
    }

    public ValueTask ReplyAsync(string text)
    {
        lock (_gate)
        {
            _replies.Add(text);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask BroadcastAsync(string text)
    {
        lock (_gate)
        {
            _broadcasts.Add(text);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask CloseAsync(int code = 1000, string reason = "")
    {
        Closed = (code, reason);
        return ValueTask.CompletedTask;
    }

    private sealed class TestSession : ISession
    {
        public string Id => "s-test";
        public IPEndPoint? RemoteEndPoint { get; } = new(IPAddress.Loopback, 50000);
        public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;
        public string Path => "/";
        public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();
    }
}
