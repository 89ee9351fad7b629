using Serilog;
using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Scripts;

/// <summary>
/// A script that runs as a session hook instead of answering as a command: <c>on-open.csx</c> when a session opens,
/// <c>on-close.csx</c> when it has closed. It has the globals every script has, over the session it runs for:
/// <c>Reply</c> (and the script's last expression) sends to that session, <c>CloseAsync</c> refuses it when it opens.
/// </summary>
internal sealed class ScriptHook(bool opening, Func<ICommandContext, ValueTask> execute) : ISessionHook
{
    /// <summary>The script names that are hooks: true for the opening one, false for the closing one; null for a command.</summary>
    public static bool? Stage(string commandName) => commandName switch
    {
        "on-open" => true,
        "on-close" => false,
        _ => null,
    };

    public ValueTask OnOpenedAsync(ISessionHookContext context) =>
        opening ? execute(new HookCommandContext((SessionHookContext)context, "on-open")) : ValueTask.CompletedTask;

    public ValueTask OnClosedAsync(ISessionHookContext context) =>
        opening ? ValueTask.CompletedTask : execute(new HookCommandContext((SessionHookContext)context, "on-close"));

    /// <summary>A command's context over a hook's, so that hook scripts are written like any script.</summary>
    private sealed class HookCommandContext(SessionHookContext hook, string name) : ICommandContext
    {
        public string CommandName => name;
        public string Arguments => string.Empty;
        public ISession Session => hook.Session;
        public ILogger Logger => hook.Logger;
        public CancellationToken CancellationToken => hook.CancellationToken;

        // The session's own messages: a direct event for wsgateway.v1 clients, text for the others.
        public ValueTask ReplyAsync(string text) => hook.SendAsync(Audience.Session(hook.Session.Id), text);

        public ValueTask BroadcastAsync(string text) => hook.SendAsync(Audience.Everyone, text);

        public ValueTask JoinGroupAsync(string group) => hook.JoinGroupAsync(group);

        public ValueTask LeaveGroupAsync(string group) => hook.LeaveGroupAsync(group);

        public ValueTask SendToGroupAsync(string group, string text) => hook.SendToGroupAsync(group, text);

        public ValueTask SendToUserAsync(string user, string text) => hook.SendToUserAsync(user, text);

        public ValueTask SendToSessionAsync(string sessionId, string text) => hook.SendAsync(Audience.Session(sessionId), text);

        public IReadOnlyList<ISession> GetLocalGroupMembers(string group) => hook.LocalGroupMembers(group);

        public ValueTask CloseAsync(int code = CloseCodes.NormalClosure, string reason = "") => hook.RefuseAsync(code, reason);
    }
}
