using WsGateway.Contracts;

namespace WsGateway.Tests.Commands;

/// <summary>A command whose body the test gives, published the way a plugin's commands are.</summary>
internal sealed class DelegateCommand(string name, Func<ICommandContext, ValueTask> execute) : ICommand
{
    public string Name => name;

    public string Description => "a test command";

    public ValueTask ExecuteAsync(ICommandContext context) => execute(context);
}
