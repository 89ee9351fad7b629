using WsGateway.Authentication;
using WsGateway.Contracts;
using WsGateway.Http;

namespace WsGateway.Api;

/// <summary>
/// Who may call the API: a caller with <c>Authorization: Bearer KEY</c> for a key of <c>Authentication:ApiKeys</c>
/// (compared in constant time by <see cref="ApiKeyAuthenticator"/>) holding the endpoint's role or <c>admin</c>.
/// Pure: no I/O. Problems never repeat the key.
/// </summary>
internal static class ApiAccess
{
    public const string AdminRole = "admin";
    public const string PublisherRole = "publisher";

    /// <param name="keys">The keys in force; null when none are configured (every key is then wrong).</param>
    /// <returns>The caller, or the 401/403 problem to answer.</returns>
    public static ApiProblem? Check(string? authorization, ApiKeyAuthenticator? keys, string role, out CallerIdentity? caller)
    {
        caller = null;
        if (BearerToken.FromAuthorization(authorization) is not { } token)
        {
            return ApiProblems.MissingKey();
        }

        if (keys?.Match(token) is not { } identity)
        {
            return ApiProblems.WrongKey();
        }

        if (!identity.Roles.Contains(AdminRole, StringComparer.Ordinal) && !identity.Roles.Contains(role, StringComparer.Ordinal))
        {
            return ApiProblems.Forbidden(role);
        }

        caller = identity;
        return null;
    }
}
