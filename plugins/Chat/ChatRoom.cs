using WsGateway.Contracts;

namespace Chat;

/// <summary>The one room a session is in, and how its people are named.</summary>
internal static class ChatRoom
{
    // Prefixed with the plugin's name: Session.Items is shared by every command of every plugin.
    private const string Key = "chat.room";

    /// <summary>The group behind a room: prefixed, so that rooms cannot collide with other plugins' groups.</summary>
    public static string Group(string room) => "chat:" + room;

    public static string? Current(ISession session) => session.Items.TryGetValue(Key, out var room) ? room as string : null;

    public static void Set(ISession session, string? room)
    {
        if (room is null)
        {
            session.Items.Remove(Key);
        }
        else
        {
            session.Items[Key] = room;
        }
    }

    /// <summary>
    /// The authenticated name, or <c>guest-</c> and the last eight digits of the session id (unique in the cluster):
    /// both fixed for the session's life, so other sessions may read them.
    /// </summary>
    public static string Nick(ISession session) =>
        Nick(session.Identity.IsAuthenticated ? session.Identity.Name : null, session.Id);

    /// <summary>The nick of a session known by its user (null when anonymous) and id, on any gateway.</summary>
    public static string Nick(string? user, string sessionId) => user ?? "guest-" + sessionId[^8..];
}
