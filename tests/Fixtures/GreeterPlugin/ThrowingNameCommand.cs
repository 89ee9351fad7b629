#if BROKEN_COMMANDS
using WsGateway.Contracts;

namespace GreeterPlugin;

/// <summary>Must be skipped with a warning while the plugin's other commands load.</summary>
public sealed class ThrowingNameCommand : ICommand
{
    public string Name => throw new InvalidOperationException("name refuses");

    public string Description => string.Empty;

    public ValueTask ExecuteAsync(ICommandContext context) => ValueTask.CompletedTask;
}
#endif
