using WsGateway.Contracts;

namespace Chat;

public sealed class WhoCommand : ICommand
{
    public string Name => "who";

    public string Description => "who lists who is in your chat room on this gateway.";

    public ValueTask ExecuteAsync(ICommandContext context)
    {
        if (ChatRoom.Current(context.Session) is not { } room)
        {
            return context.ReplyAsync("You are in no room; join <room> first.");
        }

        var nicks = context.GetLocalGroupMembers(ChatRoom.Group(room)).Select(ChatRoom.Nick).Order(StringComparer.Ordinal);
        return context.ReplyAsync($"In {room} on this gateway: {string.Join(", ", nicks)}");
    }
}
