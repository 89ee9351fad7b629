namespace WsGateway.Contracts;

/// <summary>
/// Who is on the other end of a session, as the authenticator that accepted its handshake saw it. Immutable; shared
/// by every command of the session.
/// </summary>
public sealed class CallerIdentity
{
    /// <summary>The caller of a gateway (or an authentication method) that asks for no credentials.</summary>
    public static CallerIdentity Anonymous { get; } = new();

    private CallerIdentity()
    {
        Name = "anonymous";
        AuthenticatedBy = "none";
        Roles = [];
        Claims = [];
    }

    /// <param name="name">The caller's name (a JWT's <c>sub</c>, an API key's name); never a secret.</param>
    /// <param name="authenticatedBy">The method that accepted it: <c>jwt</c>, <c>apikey</c> or a plugin authenticator's name.</param>
    /// <param name="roles">Roles or scopes, compared case-sensitively (as JWT claims are).</param>
    /// <param name="claims">Other facts about the caller (a token's claims), for commands that want them.</param>
    /// <param name="expiresAt">
    /// When the credential stops being valid (for a JWT, its <c>exp</c> plus the clock skew the gateway allows); null
    /// when it does not expire.
    /// </param>
    public CallerIdentity(
        string name, string authenticatedBy, IEnumerable<string>? roles = null,
        IEnumerable<KeyValuePair<string, string>>? claims = null, DateTimeOffset? expiresAt = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(authenticatedBy);
        Name = name;
        AuthenticatedBy = authenticatedBy;
        Roles = roles is null ? [] : [.. roles.Distinct(StringComparer.Ordinal)];
        Claims = claims is null ? [] : [.. claims];
        ExpiresAt = expiresAt;
        IsAuthenticated = true;
    }

    /// <summary>False only for <see cref="Anonymous"/>.</summary>
    public bool IsAuthenticated { get; }

    /// <summary>The caller's name; <c>anonymous</c> when nobody was authenticated.</summary>
    public string Name { get; }

    /// <summary>The authentication method that accepted the caller; <c>none</c> for <see cref="Anonymous"/>.</summary>
    public string AuthenticatedBy { get; }

    /// <summary>The caller's roles (or scopes).</summary>
    public IReadOnlyList<string> Roles { get; }

    /// <summary>Every claim the credential carried, in order; a claim with several values appears once per value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Claims { get; }

    /// <summary>When the credential expires; null when it does not.</summary>
    public DateTimeOffset? ExpiresAt { get; }

    /// <summary>Whether the caller has <paramref name="role"/> (case-sensitive).</summary>
    public bool IsInRole(string role)
    {
        foreach (var held in Roles)
        {
            if (string.Equals(held, role, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first value of claim <paramref name="type"/>, or null.</summary>
    public string? FindClaim(string type)
    {
        foreach (var (key, value) in Claims)
        {
            if (string.Equals(key, type, StringComparison.Ordinal))
            {
                return value;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    public override string ToString() => IsAuthenticated ? $"{Name} ({AuthenticatedBy})" : Name;
}
