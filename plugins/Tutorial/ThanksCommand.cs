using WsGateway.Contracts;

namespace Tutorial;

public sealed class ThanksCommand : ICommand
{
    public string Name => "thanks";

    public string Description => "Good manners.";

    public ValueTask ExecuteAsync(ICommandContext context) => context.ReplyAsync("You're welcome.");
}
