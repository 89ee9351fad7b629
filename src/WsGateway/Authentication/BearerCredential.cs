using WsGateway.Contracts;
using WsGateway.Http;

namespace WsGateway.Authentication;

/// <summary>
/// Where a bearer credential (a token or an API key) comes from: <c>Authorization: Bearer X</c>, or the
/// <c>access_token</c> query parameter (RFC 6750 2.3), because a browser cannot set headers on a WebSocket.
/// </summary>
internal static class BearerCredential
{
    public const string QueryParameter = "access_token";

    /// <returns>The credential, or null when the request carries none.</returns>
    public static string? Find(IUpgradeRequest request)
    {
        if (request.GetHeader("Authorization") is { } authorization)
        {
            return BearerToken.FromAuthorization(authorization);
        }

        return request.Query.TryGetValue(QueryParameter, out var query) && query.Length > 0 ? query : null;
    }

    /// <summary>Three base64url parts separated by dots, the first a JSON object: a JWS in compact form.</summary>
    public static bool LooksLikeJwt(string credential) =>
        credential.StartsWith("eyJ", StringComparison.Ordinal) && credential.AsSpan().Count('.') == 2;
}
