using WsGateway.Contracts;

namespace Tutorial;

public sealed class HiCommand : ICommand
{
    public string Name => "hi";

    public string Description => "A short greeting.";

    public ValueTask ExecuteAsync(ICommandContext context) =>
        context.ReplyAsync(SessionName.Get(context.Session) is { } name ? $"Hi, {name}!" : "Hi there!");
}
