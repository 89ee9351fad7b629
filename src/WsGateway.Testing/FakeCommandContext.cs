using System.Text.Json;
using Serilog;
using WsGateway.Contracts;

namespace WsGateway.Testing;

/// <summary>
/// A command context for unit tests: it sends nothing anywhere, it records what the command did. Replies, events,
/// broadcasts, group, user and session sends are kept in order per kind; group joins and leaves also change the
/// <see cref="FakeSession.Groups"/> of <see cref="Session"/>; log events are kept as rendered messages.
/// </summary>
/// <remarks>
/// Unlike the gateway, it does not deliver a group send to the caller when the caller is a member: it is in
/// <see cref="GroupSends"/> only. Names of groups and events are not validated.
/// </remarks>
public sealed class FakeCommandContext : ICommandContext
{
    private readonly Recording _recording = new();

    /// <param name="commandName">The command name as the client typed it.</param>
    /// <param name="arguments">The text after the name.</param>
    /// <param name="session">The caller; a new anonymous <see cref="FakeSession"/> when null.</param>
    public FakeCommandContext(string commandName, string arguments = "", FakeSession? session = null)
    {
        CommandName = commandName;
        Arguments = arguments;
        Session = session ?? new FakeSession();
    }

    /// <inheritdoc/>
    public string CommandName { get; }

    /// <inheritdoc/>
    public string Arguments { get; }

    /// <inheritdoc/>
    public JsonElement? Data { get; init; }

    /// <summary>The caller.</summary>
    public FakeSession Session { get; }

    ISession ICommandContext.Session => Session;

    /// <summary>A logger whose events end up in <see cref="LogMessages"/>.</summary>
    public ILogger Logger => _recording.Logger;

    /// <inheritdoc/>
    public CancellationToken CancellationToken { get; init; }

    /// <summary>
    /// Other sessions connected to this fake gateway: those in a group (by the joins of their own fake contexts) are
    /// listed by <see cref="GetLocalGroupMembers"/> and <see cref="GetGroupMembersAsync"/> beside the caller.
    /// </summary>
    public IReadOnlyCollection<FakeSession> OtherSessions { get; init; } = [];

    /// <summary>Gateways that <see cref="GetGroupMembersAsync"/> reports as not having answered; none unless set.</summary>
    public IReadOnlyList<string> MissingNodes { get; init; } = [];

    /// <summary>Every reply, in order: text as sent, JSON replies as their JSON text.</summary>
    public IReadOnlyList<string> Replies => _recording.Replies;

    /// <summary>The one reply the command sent.</summary>
    /// <exception cref="InvalidOperationException">It sent none, or more than one (the message lists them).</exception>
    public string Reply => Replies is [var only]
        ? only
        : throw new InvalidOperationException($"Expected one reply, got {Replies.Count}: [{string.Join(" | ", Replies)}]");

    /// <summary>The JSON replies (<c>ReplyAsync(value)</c>), serialized as the gateway does (camelCase).</summary>
    public IReadOnlyList<JsonElement> JsonReplies => _recording.JsonReplies;

    /// <summary>The events sent to the caller.</summary>
    public IReadOnlyList<SentEvent> Events => _recording.Events;

    /// <summary>The broadcasts' texts.</summary>
    public IReadOnlyList<string> Broadcasts => _recording.Broadcasts;

    /// <summary>The groups the caller joined, in order.</summary>
    public IReadOnlyList<string> JoinedGroups => _recording.JoinedGroups;

    /// <summary>The groups the caller left, in order.</summary>
    public IReadOnlyList<string> LeftGroups => _recording.LeftGroups;

    /// <summary>Texts sent to groups (<see cref="SentText.To"/> is the group).</summary>
    public IReadOnlyList<SentText> GroupSends => _recording.GroupSends;

    /// <summary>Texts sent to users (<see cref="SentText.To"/> is the user).</summary>
    public IReadOnlyList<SentText> UserSends => _recording.UserSends;

    /// <summary>Texts sent to sessions (<see cref="SentText.To"/> is the session id).</summary>
    public IReadOnlyList<SentText> SessionSends => _recording.SessionSends;

    /// <summary>The close the command asked for; null when it did not.</summary>
    public CloseRequest? Closed => _recording.Close;

    /// <summary>The messages the command logged, rendered (every level).</summary>
    public IReadOnlyList<string> LogMessages => _recording.LogMessages;

    /// <inheritdoc/>
    public ValueTask ReplyAsync(string text) => _recording.Reply(text);

    /// <inheritdoc/>
    public ValueTask ReplyAsync<T>(T value) => _recording.ReplyJson(value);

    /// <inheritdoc/>
    public ValueTask SendEventAsync<T>(string name, T data) => _recording.Event(name, data);

    /// <inheritdoc/>
    public ValueTask BroadcastAsync(string text) => _recording.Broadcast(text);

    /// <inheritdoc/>
    public ValueTask JoinGroupAsync(string group) => _recording.Join(Session, group);

    /// <inheritdoc/>
    public ValueTask LeaveGroupAsync(string group) => _recording.Leave(Session, group);

    /// <inheritdoc/>
    public ValueTask SendToGroupAsync(string group, string text) => _recording.ToGroup(group, text);

    /// <inheritdoc/>
    public ValueTask SendToUserAsync(string user, string text) => _recording.ToUser(user, text);

    /// <inheritdoc/>
    public ValueTask SendToSessionAsync(string sessionId, string text) => _recording.ToSession(sessionId, text);

    /// <summary>The caller and the <see cref="OtherSessions"/> that are in <paramref name="group"/>.</summary>
    public IReadOnlyList<ISession> GetLocalGroupMembers(string group) =>
        [.. OtherSessions.Prepend(Session).Distinct().Where(s => s.IsIn(group))];

    /// <summary>The members <see cref="GetLocalGroupMembers"/> lists (with an empty node name) and <see cref="MissingNodes"/>.</summary>
    public ValueTask<GroupPresence> GetGroupMembersAsync(string group) =>
        ValueTask.FromResult(new GroupPresence(
            [.. GetLocalGroupMembers(group).Select(s => new GroupMember(s.Id, s.Identity.IsAuthenticated ? s.Identity.Name : null, "", s.ConnectedAt))],
            MissingNodes));

    /// <inheritdoc/>
    public ValueTask CloseAsync(int code = 1000, string reason = "") => _recording.Closing(code, reason);
}
