using WsGateway.Contracts;

namespace Chat;

public sealed class WhoCommand : ICommand
{
    public string Name => "who";

    public string Description => "who lists who is in your chat room, on every gateway.";

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        if (ChatRoom.Current(context.Session) is not { } room)
        {
            await context.ReplyAsync("You are in no room; join <room> first.");
            return;
        }

        var presence = await context.GetGroupMembersAsync(ChatRoom.Group(room));
        var nicks = presence.Members.Select(m => ChatRoom.Nick(m.User, m.SessionId)).Order(StringComparer.Ordinal);
        var missing = presence.MissingNodes.Count == 0 ? "" : $" (not heard from: {string.Join(", ", presence.MissingNodes)})";
        await context.ReplyAsync($"In {room}: {string.Join(", ", nicks)}{missing}");
    }
}
