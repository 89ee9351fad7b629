using Serilog;
using Serilog.Core;
using WsGateway.Contracts;

namespace WsGateway.Tests.Plugins;

/// <summary>What the dispatcher will hand a command, reduced to recording what the command did.</summary>
internal sealed class RecordingCommandContext : ICommandContext
{
    public RecordingCommandContext(string commandName, string arguments, ISession session)
    {
        CommandName = commandName;
        Arguments = arguments;
        Session = session;
    }

    public string CommandName { get; }

    public string Arguments { get; }

    public ISession Session { get; }

    public ILogger Logger { get; } = Serilog.Core.Logger.None;

    public CancellationToken CancellationToken => CancellationToken.None;

    public List<string> Replies { get; } = [];

    public (int Code, string Reason)? Closed { get; private set; }

    public ValueTask ReplyAsync(string text)
    {
        Replies.Add(text);
        return ValueTask.CompletedTask;
    }

    public ValueTask BroadcastAsync(string text) => ReplyAsync(text);

    public ValueTask CloseAsync(int code = 1000, string reason = "")
    {
        Closed = (code, reason);
        return ValueTask.CompletedTask;
    }
}
