using Serilog;

namespace WsGateway.Contracts;

/// <summary>
/// Code that runs when a session opens and when it closes on a command route: to join it to <c>user:NAME</c> or a
/// tenant's room, to greet it, or to refuse it. A plugin's public class implementing it with a public parameterless
/// constructor is created once per plugin version (it may also implement <see cref="ICommand"/>); the hooks of every
/// plugin run, one after the other, in the order of the plugins' names.
/// </summary>
/// <remarks>
/// A hook runs with the session's identity already known, and before the session's first command and (for
/// <c>wsgateway.v1</c> clients) before its <c>welcome</c>, so what it joins is in place when the client hears it is
/// connected. Each hook gets <c>Commands:TimeoutSeconds</c>: an opening hook that throws or outlives it closes that
/// session with 1011 and is logged; a closing hook's failure is only logged. Neither holds up any other connection.
/// What an opening hook sends to its own session or user may arrive before that session's <c>welcome</c>.
/// </remarks>
public interface ISessionHook
{
    /// <summary>The session has opened. Refuse it with <see cref="ISessionHookContext.RefuseAsync"/>.</summary>
    ValueTask OnOpenedAsync(ISessionHookContext context);

    /// <summary>The session has closed: it is out of its groups already, and nothing can be sent to it.</summary>
    ValueTask OnClosedAsync(ISessionHookContext context) => ValueTask.CompletedTask;
}

/// <summary>What a <see cref="ISessionHook"/> can do with the session it runs for.</summary>
public interface ISessionHookContext
{
    /// <summary>The session the hook runs for, with its identity.</summary>
    ISession Session { get; }

    /// <summary>Cancelled when the hook's time is up (<c>Commands:TimeoutSeconds</c>) or the gateway stops.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>A logger that names the session and the hook's plugin.</summary>
    ILogger Logger { get; }

    /// <summary>Adds the session to <paramref name="group"/> (see <see cref="ICommandContext.JoinGroupAsync"/>).</summary>
    ValueTask JoinGroupAsync(string group);

    /// <summary>Sends <paramref name="text"/> to every member of <paramref name="group"/> on every gateway.</summary>
    ValueTask SendToGroupAsync(string group, string text);

    /// <summary>Sends <paramref name="text"/> to every session of <paramref name="user"/> on every gateway.</summary>
    ValueTask SendToUserAsync(string user, string text);

    /// <summary>
    /// Refuses the session (when it opens): no command runs, no <c>welcome</c> is sent, and it is closed with
    /// <paramref name="code"/> and <paramref name="reason"/> once the hooks have run.
    /// </summary>
    /// <param name="code">1000 (the libraries do not reconnect), 1008 (policy violation), or an application's 3000–4999.</param>
    /// <param name="reason">Cut to 123 bytes of UTF-8 on the wire.</param>
    ValueTask RefuseAsync(int code, string reason);
}
