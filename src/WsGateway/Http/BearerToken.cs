namespace WsGateway.Http;

/// <summary>The one reader of <c>Authorization: Bearer X</c> (RFC 6750 2.1), for the handshake and for HTTP routes.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <returns>The token, or null when <paramref name="authorization"/> is absent, another scheme or empty.</returns>
    public static string? FromAuthorization(string? authorization) =>
        authorization is not null && authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && authorization[Scheme.Length..].Trim() is { Length: > 0 } token
            ? token
            : null;
}
