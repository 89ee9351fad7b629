using WsGateway.Contracts;

namespace Tutorial;

public sealed class NameCommand : ICommand
{
    public string Name => "name";

    public string Description => "name <yours> tells me your name; name alone asks what I remember.";

    public ValueTask ExecuteAsync(ICommandContext context)
    {
        var given = context.Arguments.Trim();
        if (given.Length == 0)
        {
            return context.ReplyAsync(SessionName.Get(context.Session) is { } known
                ? $"Your name is {known}."
                : "I don't know your name yet. Tell me with: name <yours>");
        }

        if (given.Length > SessionName.MaxLength)
        {
            return context.ReplyAsync($"That name is too long; {SessionName.MaxLength} characters at most, please.");
        }

        SessionName.Set(context.Session, given);
        return context.ReplyAsync($"Nice to meet you, {given}.");
    }
}
