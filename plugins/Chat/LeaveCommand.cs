using WsGateway.Contracts;

namespace Chat;

public sealed class LeaveCommand : ICommand
{
    public string Name => "leave";

    public string Description => "leave leaves your chat room.";

    public async ValueTask ExecuteAsync(ICommandContext context)
    {
        if (ChatRoom.Current(context.Session) is not { } room)
        {
            await context.ReplyAsync("You are in no room.");
            return;
        }

        await context.LeaveGroupAsync(ChatRoom.Group(room));
        ChatRoom.Set(context.Session, null);
        await context.SendToGroupAsync(ChatRoom.Group(room), $"* {ChatRoom.Nick(context.Session)} left {room}");
        await context.ReplyAsync($"You left {room}.");
    }
}
