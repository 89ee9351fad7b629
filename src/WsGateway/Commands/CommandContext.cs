using System.Text.Json;
using Serilog;
using WsGateway.Broadcasting;
using WsGateway.Contracts;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Commands;

/// <summary>The context of one command call; replies after the call has ended are dropped.</summary>
internal sealed class CommandContext : ICommandContext
{
    private readonly CommandSession _session;

    // The call's data as sent (JSON text), parsed on first use: most commands never look.
    private readonly string? _data;
    private JsonElement? _parsedData;
    private ILogger? _logger;

    public CommandContext(CommandSession session, CommandDescriptor descriptor, in CommandRequest request, CancellationToken cancellationToken)
    {
        _session = session;
        EnvelopeId = request.Id;
        CommandName = descriptor.Name;
        Arguments = request.Arguments;
        _data = request.Data;
        CancellationToken = cancellationToken;
    }

    public string CommandName { get; }
    public string Arguments { get; }

    /// <summary>The request's envelope id as raw JSON; null when it came as plain text.</summary>
    public string? EnvelopeId { get; }

    /// <summary>Set once the call has ended (or was answered with an error): later replies are dropped.</summary>
    /// <remarks>Read and written only under <see cref="SessionReplies"/>' lock, so no reply slips in after the error.</remarks>
    public bool Completed { get; set; }

    public JsonElement? Data
    {
        get
        {
            if (_parsedData is null && _data is not null)
            {
                using var document = JsonDocument.Parse(_data);
                _parsedData = document.RootElement.Clone();
            }

            return _parsedData;
        }
    }

    public ISession Session => _session;
    public CancellationToken CancellationToken { get; }

    // Made on first use: most commands never log, and ForContext allocates.
    public ILogger Logger => _logger ??= _session.Log.ForContext("Command", CommandName);

    public ValueTask ReplyAsync(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _session.Replies.ReplyAsync(this, text);
    }

    /// <summary>A data reply of JSON already written (valid UTF-8 JSON): for built-in commands.</summary>
    public ValueTask ReplyJsonAsync(ReadOnlyMemory<byte> json) => _session.Replies.ReplyDataAsync(this, json);

    public ValueTask ReplyAsync<T>(T value) =>
        _session.Replies.ReplyDataAsync(this, JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web));

    public ValueTask SendEventAsync<T>(string name, T data)
    {
        if (!EventNames.IsValid(name))
        {
            throw new ArgumentException(
                $"\"{name}\" is not an event name: {EventNames.Rule}.", nameof(name));
        }

        return _session.Replies.SendEventAsync(this, name, null, JsonSerializer.SerializeToUtf8Bytes(data, JsonSerializerOptions.Web));
    }

    public ValueTask BroadcastAsync(string text) => _session.SendAsync(Audience.Everyone, text, CancellationToken);

    public ValueTask JoinGroupAsync(string group) => _session.JoinGroupAsync(group);

    public ValueTask LeaveGroupAsync(string group) => _session.LeaveGroupAsync(group);

    public ValueTask SendToGroupAsync(string group, string text) => _session.SendAsync(Audience.Group(group), text, CancellationToken);

    public ValueTask SendToUserAsync(string user, string text) => _session.SendAsync(Audience.User(user), text, CancellationToken);

    public ValueTask SendToSessionAsync(string sessionId, string text) => _session.SendAsync(Audience.Session(sessionId), text, CancellationToken);

    public IReadOnlyList<ISession> GetLocalGroupMembers(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        return _session.LocalGroupMembers(group);
    }

    public async ValueTask<GroupPresence> GetGroupMembersAsync(string group)
    {
        GroupNames.ThrowIfInvalid(group);
        var answer = await _session.AskClusterAsync(new ClusterQuery(ClusterQueryKind.Sessions, Group: group), CancellationToken).ConfigureAwait(false);
        return new GroupPresence(
            [.. answer.Answers.SelectMany(a => a.Sessions).Select(s => new GroupMember(s.Id, s.User, s.Node, s.ConnectedAt))],
            answer.Missing);
    }

    public ValueTask CloseAsync(int code = CloseCodes.NormalClosure, string reason = "")
    {
        if (!CloseStatus.IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "Close codes on the wire are 1000-1003, 1007-1014 or 3000-4999.");
        }

        Logger.Information("Closing {SessionId} with {CloseCode}: {Reason}", _session.Id, code, reason);
        return _session.SpeaksProtocol ? EndThenCloseAsync(code, reason) : SocketThread.LeaveAfter(_session.Connection.CloseAsync(code, reason));
    }

    // A wsgateway.v1 call that closes its session (`bye`) still ends with its result, before the close frame: the
    // client's call completes instead of failing as disconnected.
    private async ValueTask EndThenCloseAsync(int code, string reason)
    {
        await _session.Replies.EndAsync(this).ConfigureAwait(false);
        await SocketThread.LeaveAfter(_session.Connection.CloseAsync(code, reason)).ConfigureAwait(false);
    }
}
