namespace WsGateway.Contracts;

/// <summary>
/// A command that answers text messages of the form <c>name arguments</c>.
/// The gateway creates one instance per loaded plugin version and calls it from many connections at once,
/// so an implementation must be thread-safe (keep per-session state in <see cref="ISession.Items"/>).
/// </summary>
public interface ICommand
{
    /// <summary>The command name clients type; matched case-insensitively. Letters, digits, '-', '_' and '.' only.</summary>
    string Name { get; }

    /// <summary>A one-line description shown by <c>help</c>.</summary>
    string Description { get; }

    /// <summary>Runs the command. Reply through <paramref name="context"/>; honour its cancellation token.</summary>
    ValueTask ExecuteAsync(ICommandContext context);
}
