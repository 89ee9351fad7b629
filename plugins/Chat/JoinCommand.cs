using WsGateway.Contracts;

namespace Chat;

public sealed class JoinCommand : ICommand
{
    public string Name => "join";

    public string Description => "join <room> enters a chat room (and leaves the one you were in); everyone in it, on every gateway, hears you say so.";

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        var room = context.Arguments.Trim();
        if (room.Length == 0 || !GroupNames.IsValid(ChatRoom.Group(room)))
        {
            await context.ReplyAsync("Which room? join <room>: letters, digits, '-', '_' and '.', up to 50 characters.");
            return;
        }

        var nick = ChatRoom.Nick(context.Session);
        if (ChatRoom.Current(context.Session) is { } previous)
        {
            if (previous == room)
            {
                await context.ReplyAsync($"You are already in {room}.");
                return;
            }

            await context.LeaveGroupAsync(ChatRoom.Group(previous));
            await context.SendToGroupAsync(ChatRoom.Group(previous), $"* {nick} left {previous}");
        }

        await context.JoinGroupAsync(ChatRoom.Group(room));
        ChatRoom.Set(context.Session, room);
        await context.SendToGroupAsync(ChatRoom.Group(room), $"* {nick} joined {room}");
    }
}
