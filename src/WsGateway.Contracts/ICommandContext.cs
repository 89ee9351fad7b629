using Serilog;

namespace WsGateway.Contracts;

/// <summary>Everything a command sees of the call it is answering.</summary>
public interface ICommandContext
{
    /// <summary>The command name as the client typed it.</summary>
    string CommandName { get; }

    /// <summary>The text after the command name (leading whitespace removed); empty when there is none.</summary>
    string Arguments { get; }

    /// <summary>The connection that sent the command.</summary>
    ISession Session { get; }

    /// <summary>A logger enriched with the session id, remote address and command name.</summary>
    ILogger Logger { get; }

    /// <summary>Fires when the connection closes or the command's timeout elapses.</summary>
    CancellationToken CancellationToken { get; }

    /// <summary>Sends a reply to the caller. Inside a JSON envelope call it carries the envelope's id.</summary>
    ValueTask ReplyAsync(string text);

    /// <summary>Sends <paramref name="text"/> to every session connected to a command route, the caller included.</summary>
    ValueTask BroadcastAsync(string text);

    /// <summary>Starts the close handshake with the caller after the replies sent so far.</summary>
    /// <param name="code">A close code valid on the wire: 1000–1003, 1007–1014 or 3000–4999.</param>
    /// <param name="reason">At most 123 bytes of UTF-8.</param>
    ValueTask CloseAsync(int code = 1000, string reason = "");
}
