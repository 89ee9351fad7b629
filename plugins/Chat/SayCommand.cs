using WsGateway.Contracts;

namespace Chat;

public sealed class SayCommand : ICommand
{
    public string Name => "say";

    public string Description => "say <text> sends text to everyone in your chat room, on every gateway.";

    public ValueTask ExecuteAsync(ICommandContext context)
    {
        if (ChatRoom.Current(context.Session) is not { } room)
        {
            return context.ReplyAsync("You are in no room; join <room> first.");
        }

        var text = context.Arguments.Trim();
        return text.Length == 0
            ? context.ReplyAsync("Say what? say <text>")
            : context.SendToGroupAsync(ChatRoom.Group(room), $"[{room}] {ChatRoom.Nick(context.Session)}: {text}");
    }
}
