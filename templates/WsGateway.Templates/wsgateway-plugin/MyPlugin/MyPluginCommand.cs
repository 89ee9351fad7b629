using WsGateway.Contracts;

namespace MyPlugin;

/// <summary>A sample command: <c>myplugin</c> greets, <c>myplugin NAME</c> greets NAME.</summary>
public sealed class MyPluginCommand : ICommand
{
    public string Name => "myplugin";

    public string Description => "myplugin <name> says hello from the MyPlugin plugin.";

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        var name = context.Arguments.Trim();
        context.Logger.Information("Greeting {Name}", name);
        await context.ReplyAsync(name.Length == 0 ? "Hello from MyPlugin!" : $"Hello, {name}, from MyPlugin!");
    }
}
