using WsGateway.Contracts;

namespace Tutorial;

public sealed class HelloCommand : ICommand
{
    public string Name => "hello";

    public string Description => "Says hello, and asks for your name if it does not know it yet.";

    public ValueTask ExecuteAsync(ICommandContext context) =>
        context.ReplyAsync(SessionName.Get(context.Session) is { } name
            ? $"Hello, {name}! Good to see you again."
            : "Hello, friend! Tell me your name with: name <yours>");
}
