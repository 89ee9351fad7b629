using WsGateway.Contracts;

namespace Tutorial;

/// <summary>The name a client gave with <c>name</c>, kept for the life of its connection.</summary>
internal static class SessionName
{
    // Prefixed with the plugin's name: Session.Items is shared by every command of every plugin.
    private const string Key = "tutorial.name";

    /// <summary>Long enough for any real name, short enough that a client cannot park a megabyte in our memory.</summary>
    public const int MaxLength = 64;

    public static string? Get(ISession session) =>
        session.Items.TryGetValue(Key, out var value) ? value as string : null;

    public static void Set(ISession session, string name) => session.Items[Key] = name;
}
