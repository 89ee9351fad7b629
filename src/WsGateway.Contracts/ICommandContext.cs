using System.Text.Json;
using Serilog;

namespace WsGateway.Contracts;

/// <summary>Everything a command sees of the call it is answering.</summary>
public interface ICommandContext
{
    /// <summary>The command name as the client typed it.</summary>
    string CommandName { get; }

    /// <summary>The text after the command name (leading whitespace removed); empty when there is none.</summary>
    string Arguments { get; }

    /// <summary>
    /// The call's structured arguments: the <c>data</c> of a <c>wsgateway.v1</c> call (docs/protocol.md), beside
    /// <see cref="Arguments"/>; null when the call had none, and for plain-text requests.
    /// </summary>
    JsonElement? Data => null;

    /// <summary>The connection that sent the command.</summary>
    ISession Session { get; }

    /// <summary>A logger enriched with the session id, remote address and command name.</summary>
    ILogger Logger { get; }

    /// <summary>Fires when the connection closes or the command's timeout elapses.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>
    /// Sends a reply to the caller: plain text, an envelope with the request's id, or a <c>reply</c> frame of
    /// <c>wsgateway.v1</c> (docs/protocol.md).
    /// </summary>
    /// <remarks>
    /// Completes at once while the caller keeps up; once 64 KiB wait for the caller, it completes when the caller has
    /// read them, so a command that replies in a loop is paced by its client. Await it. It fails with
    /// <see cref="OperationCanceledException"/> once the connection is gone.
    /// </remarks>
    ValueTask ReplyAsync(string text);

    /// <summary>
    /// Sends <paramref name="value"/> as a JSON reply (serialized with <see cref="JsonSerializerOptions.Web"/>:
    /// camelCase names): a <c>reply</c> frame with <c>data</c> in <c>wsgateway.v1</c>, <c>"data"</c> in an envelope,
    /// the JSON text for plain-text clients. Paced and cancelled as <see cref="ReplyAsync(string)"/>.
    /// </summary>
    ValueTask ReplyAsync<T>(T value) => ReplyAsync(JsonSerializer.Serialize(value, JsonSerializerOptions.Web));

    /// <summary>
    /// Sends the caller an event named <paramref name="name"/> with <paramref name="data"/> as JSON (as
    /// <see cref="ReplyAsync{T}(T)"/>): an <c>event</c> frame in <c>wsgateway.v1</c>, the name, a space and the JSON
    /// for plain-text clients. Like a reply, it is dropped once the call has ended.
    /// </summary>
    /// <param name="name">1-64 characters: letters, digits, '-', '_', '.' and ':'; not <c>broadcast</c>, <c>group</c> or <c>direct</c>, which the gateway's own events use.</param>
    /// <param name="data">The event's payload, serialized as JSON.</param>
    ValueTask SendEventAsync<T>(string name, T data) => throw new NotSupportedException("This context sends no events.");

    /// <summary>
    /// Sends <paramref name="text"/> to every session connected to a command route, the caller included, on every
    /// gateway of the cluster.
    /// </summary>
    ValueTask BroadcastAsync(string text);

    /// <summary>
    /// Adds the caller's session to <paramref name="group"/> (created on first join; joining twice changes nothing).
    /// A session leaves all its groups when it closes.
    /// </summary>
    /// <param name="group">1-64 characters: letters, digits, '-', '_', '.', ':' and '#'; case-sensitive.</param>
    ValueTask JoinGroupAsync(string group) => throw new NotSupportedException("This context has no groups.");

    /// <summary>Removes the caller's session from <paramref name="group"/>; nothing happens when it is not a member.</summary>
    ValueTask LeaveGroupAsync(string group) => throw new NotSupportedException("This context has no groups.");

    /// <summary>
    /// Sends <paramref name="text"/> to every member of <paramref name="group"/> on every gateway of the cluster (the
    /// caller too, when it is a member), once each. Nobody needs to be a member to send.
    /// </summary>
    ValueTask SendToGroupAsync(string group, string text) => throw new NotSupportedException("This context has no groups.");

    /// <summary>
    /// Sends <paramref name="text"/> to every session authenticated as <paramref name="user"/> (its identity name), on
    /// every gateway of the cluster, once each; <c>wsgateway.v1</c> clients get a <c>direct</c> event. Anonymous
    /// sessions are nobody's: nothing reaches them this way. Nothing happens when the user has no session.
    /// </summary>
    ValueTask SendToUserAsync(string user, string text) => throw new NotSupportedException("This context cannot reach users.");

    /// <summary>
    /// Sends <paramref name="text"/> to the session <paramref name="sessionId"/> (<see cref="ISession.Id"/>, unique in
    /// the cluster), on whichever gateway it is connected to; <c>wsgateway.v1</c> clients get a <c>direct</c> event.
    /// Nothing happens when no such session is connected.
    /// </summary>
    ValueTask SendToSessionAsync(string sessionId, string text) => throw new NotSupportedException("This context cannot reach sessions.");

    /// <summary>The sessions of <paramref name="group"/> connected to this gateway (members on other nodes are not listed).</summary>
    IReadOnlyList<ISession> GetLocalGroupMembers(string group) => [];

    /// <summary>
    /// The members of <paramref name="group"/> on every gateway of the cluster: this one's at once, the others' as they
    /// answer, within <c>Cluster:QueryTimeoutSeconds</c>; <see cref="GroupPresence.MissingNodes"/> names the gateways
    /// that did not.
    /// </summary>
    ValueTask<GroupPresence> GetGroupMembersAsync(string group) =>
        ValueTask.FromResult(new GroupPresence(
            [.. GetLocalGroupMembers(group).Select(s => new GroupMember(s.Id, s.Identity.IsAuthenticated ? s.Identity.Name : null, "", s.ConnectedAt))], []));

    /// <summary>Starts the close handshake with the caller after the replies sent so far.</summary>
    /// <param name="code">A close code valid on the wire: 1000–1003, 1007–1014 or 3000–4999.</param>
    /// <param name="reason">At most 123 bytes of UTF-8.</param>
    ValueTask CloseAsync(int code = 1000, string reason = "");
}
