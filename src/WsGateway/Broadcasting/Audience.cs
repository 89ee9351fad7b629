using WsGateway.Contracts;

namespace WsGateway.Broadcasting;

/// <summary>Whom a message is for: everyone, the members of a group, every session of a user, or one session.</summary>
internal enum AudienceKind : byte
{
    Everyone,
    Group,
    User,
    Session,
}

/// <summary>The addressee of a <see cref="BusMessage"/>, on every node of the cluster.</summary>
/// <param name="Name">The group, the user's identity name or the session id; null for everyone.</param>
internal readonly record struct Audience(AudienceKind Kind, string? Name)
{
    public static Audience Everyone => default;

    public static Audience Group(string name) => new(AudienceKind.Group, name);

    /// <summary>Every session authenticated as <paramref name="name"/>; anonymous sessions are nobody's.</summary>
    public static Audience User(string name) => new(AudienceKind.User, name);

    public static Audience Session(string id) => new(AudienceKind.Session, id);

    /// <summary>Null when this audience can be addressed; otherwise why not.</summary>
    public string? Problem => Kind switch
    {
        AudienceKind.Everyone => null,
        AudienceKind.Group => Name is not null && GroupNames.IsValid(Name) ? null : "an invalid group name",
        AudienceKind.User => string.IsNullOrEmpty(Name) || Name.Length > 256 ? "an empty or overlong user name" : null,
        AudienceKind.Session => string.IsNullOrEmpty(Name) || Name.Length > 64 ? "an empty or overlong session id" : null,
        _ => "an unknown audience",
    };

    public override string ToString() => Kind == AudienceKind.Everyone ? "everyone" : $"{Kind.ToString().ToLowerInvariant()} {Name}";
}
