using WsGateway.Authentication;
using WsGateway.Contracts;
using WsGateway.Http;

namespace WsGateway.Api;

/// <summary>
/// Who may call the API: a caller with <c>Authorization: Bearer KEY</c> for a key of <c>Authentication:ApiKeys</c>
/// (compared in constant time by <see cref="ApiKeyAuthenticator"/>), or with a JWT that the <c>jwt</c> method accepted
/// (<paramref name="token"/>), holding the endpoint's role or <c>admin</c>. Pure: no I/O. Problems never repeat the key.
/// </summary>
internal static class ApiAccess
{
    public const string AdminRole = "admin";
    public const string PublisherRole = "publisher";

    /// <param name="keys">The keys in force; null when none are configured (every key is then wrong).</param>
    /// <param name="authorization">The request's <c>Authorization</c> header.</param>
    /// <param name="role">The endpoint's role.</param>
    /// <param name="caller">Who called, when allowed.</param>
    /// <param name="tokenWasJwt">The credential was a JWT and the <c>jwt</c> method judged it.</param>
    /// <returns>The caller, or the 401/403 problem to answer.</returns>
    /// <param name="token">
    /// The bearer credential as a JWT: accepted (its identity), refused (null, with <paramref name="tokenWasJwt"/>),
    /// or not a JWT (then it is looked up among the keys).
    /// </param>
    public static ApiProblem? Check(
        string? authorization, ApiKeyAuthenticator? keys, string role, out CallerIdentity? caller, CallerIdentity? token = null, bool tokenWasJwt = false)
    {
        caller = null;
        if (BearerToken.FromAuthorization(authorization) is not { } credential)
        {
            return ApiProblems.MissingKey();
        }

        if ((tokenWasJwt ? token : keys?.Match(credential)) is not { } identity)
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
