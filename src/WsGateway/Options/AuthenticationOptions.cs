namespace WsGateway.Options;

/// <summary>
/// Who may open a WebSocket connection: the methods tried on every upgrade, before the 101 response. Reloadable;
/// open sessions keep the identity they connected with.
/// </summary>
public sealed record AuthenticationOptions
{
    /// <summary>
    /// Tried in order: <c>none</c> (anyone, as anonymous), <c>jwt</c> (a bearer token, <see cref="Jwt"/>),
    /// <c>apikey</c> (<see cref="ApiKeys"/>) and <c>plugin:NAME</c> (a plugin's <c>IAuthenticator</c>). The first that
    /// accepts wins; a request none accepts gets 401. <c>["jwt", "none"]</c> lets anonymous callers in but refuses a
    /// bad token.
    /// </summary>
    public string[] Methods { get; set; } = ["none"];

    /// <summary>When set, an authenticated caller must hold one of these roles to connect (403 otherwise).</summary>
    public string[] RequiredRoles { get; set; } = [];

    /// <summary>What happens to a session whose credential expires while it is connected.</summary>
    public ExpiryAction OnExpiry { get; set; } = ExpiryAction.Close;

    public JwtOptions Jwt { get; set; } = new();

    public ApiKeyOptions[] ApiKeys { get; set; } = [];

    public bool Equals(AuthenticationOptions? other) =>
        other is not null
        && OptionLists.Same(Methods, other.Methods)
        && OptionLists.Same(RequiredRoles, other.RequiredRoles)
        && OptionLists.Same(ApiKeys, other.ApiKeys)
        && OnExpiry == other.OnExpiry
        && Equals(Jwt, other.Jwt);

    public override int GetHashCode() => HashCode.Combine(OptionLists.Hash(Methods), OptionLists.Hash(RequiredRoles), OptionLists.Hash(ApiKeys), OnExpiry, Jwt);
}

/// <summary>What to do when a session's token expires while it is connected.</summary>
public enum ExpiryAction
{
    /// <summary>Close the connection with 1008 (policy violation), reason "token expired".</summary>
    Close,

    /// <summary>Keep the connection, but answer every further command with an error until the client reconnects.</summary>
    RefuseCommands,
}

/// <summary>Bearer tokens as JSON Web Tokens, from <c>Authorization: Bearer</c> or the <c>access_token</c> query parameter.</summary>
public sealed record JwtOptions
{
    /// <summary>The <c>iss</c> every token must carry. Required.</summary>
    public string Issuer { get; set; } = "";

    /// <summary>The <c>aud</c> every token must carry (one of its values). Required.</summary>
    public string Audience { get; set; } = "";

    /// <summary>
    /// A shared secret for HMAC-signed tokens (HS256/384/512), at least 32 bytes of UTF-8. Set it from the environment
    /// (<c>WSGATEWAY_Authentication__Jwt__SigningKey</c>) rather than in the file.
    /// </summary>
    public string SigningKey { get; set; } = "";

    /// <summary>A PEM file with the issuer's RSA or EC public key (RS*, PS*, ES* tokens).</summary>
    public string PublicKeyFile { get; set; } = "";

    /// <summary>A JSON Web Key Set file (the issuer's <c>jwks.json</c>, saved locally); its keys are matched by <c>kid</c>.</summary>
    public string JwksFile { get; set; } = "";

    /// <summary>How far the token's <c>exp</c> and <c>nbf</c> may be off because clocks differ.</summary>
    public double ClockSkewSeconds { get; set; } = 30;

    /// <summary>The claim that names the caller.</summary>
    public string NameClaim { get; set; } = "sub";

    /// <summary>The claim (a string or an array of strings) that lists the caller's roles; <c>scope</c> (space-separated) is read too.</summary>
    public string RoleClaim { get; set; } = "roles";
}

/// <summary>One static API key, for programs and services.</summary>
public sealed record ApiKeyOptions
{
    /// <summary>Who holds the key; the identity's name in logs and <c>whoami</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>The key itself, at least 16 characters. Prefer <see cref="KeyEnvironmentVariable"/>.</summary>
    public string Key { get; set; } = "";

    /// <summary>The environment variable that holds the key, so the file holds no secret.</summary>
    public string KeyEnvironmentVariable { get; set; } = "";

    /// <summary>The roles a caller with this key has.</summary>
    public string[] Roles { get; set; } = [];

    public bool Equals(ApiKeyOptions? other) =>
        other is not null
        && OptionLists.Same(Roles, other.Roles)
        && Name == other.Name
        && Key == other.Key
        && KeyEnvironmentVariable == other.KeyEnvironmentVariable;

    public override int GetHashCode() => HashCode.Combine(OptionLists.Hash(Roles), Name, Key, KeyEnvironmentVariable);
}
