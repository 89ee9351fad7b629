using WsGateway.Contracts;

namespace Tutorial;

public sealed class ByeCommand : ICommand
{
    public string Name => "bye";

    public string Description => "Says goodbye and closes the connection.";

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        var name = SessionName.Get(context.Session);
        await context.ReplyAsync(name is null ? "Goodbye!" : $"Goodbye, {name}!").ConfigureAwait(false);
        await context.CloseAsync(CloseCodes.NormalClosure, "bye").ConfigureAwait(false);
    }
}
