using System.Text.Json;
using Serilog;

namespace WsGateway.Contracts;

/// <summary>
/// What a <c>*.csx</c> command sees as globals: every public member here is a name the script can use directly
/// (<c>Args</c>, <c>await Reply("hi")</c>). The gateway makes one per call; scripts compile against this assembly
/// only, never against the gateway's.
/// </summary>
/// <remarks>
/// The methods return <see cref="Task"/> rather than the context's <see cref="ValueTask"/>: scripts are written by
/// operators, and a <see cref="Task"/> forgives what a <see cref="ValueTask"/> does not (awaiting twice, storing it).
/// </remarks>
public sealed class ScriptGlobals
{
    /// <param name="context">The call the script runs for (a test of a script may pass a fake).</param>
    public ScriptGlobals(ICommandContext context) => Context = context;

    /// <summary>The whole call, for anything the shortcuts below do not cover.</summary>
    public ICommandContext Context { get; }

    /// <summary>The text after the command name; empty when there is none.</summary>
    public string Args => Context.Arguments;

    /// <summary>The connection that sent the command.</summary>
    public ISession Session => Context.Session;

    /// <summary>A logger enriched with the session, remote address and command.</summary>
    public ILogger Logger => Context.Logger;

    /// <summary>Fires when the connection closes or the command's timeout elapses; pass it to anything that waits.</summary>
    public CancellationToken CancellationToken => Context.CancellationToken;

    /// <summary>Sends <paramref name="text"/> to the caller.</summary>
    public Task Reply(string text) => Context.ReplyAsync(text).AsTask();

    /// <summary>Sends <paramref name="text"/> to the caller.</summary>
    public Task ReplyAsync(string text) => Context.ReplyAsync(text).AsTask();

    /// <summary>A <c>wsgateway.v1</c> call's structured arguments (its <c>data</c>); null when it had none.</summary>
    public JsonElement? Data => Context.Data;

    /// <summary>Sends <paramref name="value"/> to the caller as JSON (camelCase names); plain-text clients get the JSON text.</summary>
    public Task Reply<T>(T value) => Context.ReplyAsync(value).AsTask();

    /// <inheritdoc cref="Reply{T}(T)"/>
    public Task ReplyAsync<T>(T value) => Context.ReplyAsync(value).AsTask();

    /// <summary>Sends the caller an event named <paramref name="name"/> with <paramref name="data"/> as JSON.</summary>
    public Task SendEventAsync<T>(string name, T data) => Context.SendEventAsync(name, data).AsTask();

    /// <summary>Sends <paramref name="text"/> to every session on a command route, the caller included.</summary>
    public Task BroadcastAsync(string text) => Context.BroadcastAsync(text).AsTask();

    /// <summary>Adds the caller's session to <paramref name="group"/>; it leaves all its groups when it closes.</summary>
    public Task JoinGroupAsync(string group) => Context.JoinGroupAsync(group).AsTask();

    /// <summary>Removes the caller's session from <paramref name="group"/>.</summary>
    public Task LeaveGroupAsync(string group) => Context.LeaveGroupAsync(group).AsTask();

    /// <summary>Sends <paramref name="text"/> to every member of <paramref name="group"/> on every gateway of the cluster.</summary>
    public Task SendToGroupAsync(string group, string text) => Context.SendToGroupAsync(group, text).AsTask();

    /// <summary>Sends <paramref name="text"/> to every session of <paramref name="user"/> on every gateway of the cluster.</summary>
    public Task SendToUserAsync(string user, string text) => Context.SendToUserAsync(user, text).AsTask();

    /// <summary>Sends <paramref name="text"/> to the session <paramref name="sessionId"/>, on whichever gateway it is.</summary>
    public Task SendToSessionAsync(string sessionId, string text) => Context.SendToSessionAsync(sessionId, text).AsTask();

    /// <summary>Starts the close handshake with the caller after the replies sent so far.</summary>
    public Task CloseAsync(int code = CloseCodes.NormalClosure, string reason = "") =>
        Context.CloseAsync(code, reason).AsTask();
}
