using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>One command as a source contributes it to the <see cref="CommandRegistry"/>.</summary>
/// <param name="Name">The name clients type (matched case-insensitively).</param>
/// <param name="Description">One line for <c>help</c>.</param>
/// <param name="Origin">The plugin, script or built-in that defines it.</param>
/// <param name="ExecuteAsync">The compiled handler; must not be Roslyn or reflection per call.</param>
/// <param name="Problem">
/// Set when the source is broken (for example a script whose latest edit does not compile): <c>help</c> shows it,
/// and <paramref name="ExecuteAsync"/> is the last good version, or one that replies with the problem.
/// </param>
internal sealed record CommandDescriptor(
    string Name,
    string Description,
    CommandOrigin Origin,
    Func<ICommandContext, ValueTask> ExecuteAsync,
    string? Problem = null)
{
    /// <summary>
    /// True when <see cref="ExecuteAsync"/> only answers with <see cref="Problem"/> (no version of the command works),
    /// so that its calls are counted as broken rather than succeeded.
    /// </summary>
    internal bool RepliesWithProblem { get; init; }

    /// <summary>Who may run it (and see it in <c>help</c>); anyone unless the plugin or script says otherwise.</summary>
    public CommandAccess Access { get; init; } = CommandAccess.Anyone;
}
