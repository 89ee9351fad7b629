using Serilog;
using WsGateway.Contracts;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>The context of one command call; replies after the call has ended are dropped.</summary>
internal sealed class CommandContext : ICommandContext
{
    private readonly CommandSession _session;
    private ILogger? _logger;

    public CommandContext(CommandSession session, CommandDescriptor descriptor, in CommandRequest request, CancellationToken cancellationToken)
    {
        _session = session;
        EnvelopeId = request.Id;
        CommandName = descriptor.Name;
        Arguments = request.Arguments;
        CancellationToken = cancellationToken;
    }

    public string CommandName { get; }
    public string Arguments { get; }

    /// <summary>The request's envelope id as raw JSON; null when it came as plain text.</summary>
    public string? EnvelopeId { get; }

    /// <summary>Set once the call has ended (or was answered with an error): later replies are dropped.</summary>
    /// <remarks>Read and written only under <see cref="SessionReplies"/>' lock, so no reply slips in after the error.</remarks>
    public bool Completed { get; set; }

    public ISession Session => _session;
    public CancellationToken CancellationToken { get; }

    // Made on first use: most commands never log, and ForContext allocates.
    public ILogger Logger => _logger ??= _session.Log.ForContext("Command", CommandName);

    public ValueTask ReplyAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _session.Replies.ReplyAsync(this, text);
    }

    public ValueTask BroadcastAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _session.BroadcastAsync(text, CancellationToken);
    }

    public ValueTask JoinGroupAsync(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        _session.JoinGroup(group);
        return ValueTask.CompletedTask;
    }

    public ValueTask LeaveGroupAsync(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        _session.LeaveGroup(group);
        return ValueTask.CompletedTask;
    }

    public ValueTask SendToGroupAsync(string group, string text)
    {
        GroupNames.ThrowIfInvalid(group);
        ArgumentNullException.ThrowIfNull(text);
        return _session.SendToGroupAsync(group, text, CancellationToken);
    }

    public IReadOnlyList<ISession> GetLocalGroupMembers(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        return _session.LocalGroupMembers(group);
    }

    public ValueTask CloseAsync(int code = CloseCodes.NormalClosure, string reason = "")
    {
        if (!CloseStatus.IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Close codes on the wire are 1000-1003, 1007-1014 or 3000-4999.");
        }

        Logger.Information("Closing {SessionId} with {CloseCode}: {Reason}", _session.Id, code, reason);
        return SocketThread.LeaveAfter(_session.Connection.CloseAsync(code, reason));
    }
}
