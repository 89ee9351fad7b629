using Serilog;
using WsGateway.Contracts;

namespace WsGateway.Tests.Fakes;

/// <summary>
/// What the dispatcher hands a command, reduced to recording what the command did (replies, broadcasts, close)
/// instead of writing to a socket.
/// </summary>
internal sealed class RecordingCommandContext(string commandName, string arguments = "", ISession? session = null)
    : ICommandContext
{
    private readonly Lock _gate = new();
    private readonly List<string> _replies = [];
    private readonly List<string> _broadcasts = [];

    public string CommandName { get; } = commandName;
    public string Arguments { get; } = arguments;
    public ISession Session { get; } = session ?? new RecordingSession();
    public ILogger Logger { get; } = Serilog.Core.Logger.None;
    public CancellationToken CancellationToken => CancellationToken.None;

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
}
