#if BROKEN_COMMANDS
using WsGateway.Contracts;

namespace GreeterPlugin;

/// <summary>Must be skipped with a warning while the plugin's other commands load.</summary>
public sealed class ThrowingConstructorCommand : ICommand
{
    public ThrowingConstructorCommand() => throw new InvalidOperationException("constructor refuses");

    public string Name => "never-constructed";

    public string Description => string.Empty;

    public ValueTask ExecuteAsync(ICommandContext context) => ValueTask.CompletedTask;
}
#endif
