#if BROKEN_COMMANDS
using WsGateway.Contracts;

namespace GreeterPlugin;

/// <summary>Must be skipped with a warning while the plugin's other commands load.</summary>
public sealed class InvalidNameCommand : ICommand
{
    public string Name => "not a name!";

    public string Description => string.Empty;

    public ValueTask ExecuteAsync(ICommandContext context) => ValueTask.CompletedTask;
}
#endif
