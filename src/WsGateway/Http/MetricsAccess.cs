using System.Net;
using System.Security.Cryptography;
using System.Text;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>Whether a request may read <c>/metrics</c> under the <c>Metrics</c> section. Pure: no I/O.</summary>
internal static class MetricsAccess
{
    /// <returns>Null when allowed; otherwise the 403 or 401 to answer (never naming the key).</returns>
    public static HttpResponse? Check(HttpRequestHead request, IPEndPoint? remote, MetricsOptions options)
    {
        if (options.LoopbackOnly && (remote is null || !IPAddress.IsLoopback(remote.Address)))
        {
            return HttpResponse.Text(403, "/metrics is served to this machine only (Metrics:LoopbackOnly).");
        }

        if (options.ApiKey.Length > 0 && !HasKey(request.GetHeader("Authorization"), options.ApiKey))
        {
            return HttpResponse.Text(401, "/metrics wants Authorization: Bearer <Metrics:ApiKey>.", [new("WWW-Authenticate", "Bearer")]);
        }

        return null;
    }

    private static bool HasKey(string? authorization, string key) =>
        // Constant time, so the comparison does not tell an attacker how much of a guess was right.
        BearerToken.FromAuthorization(authorization) is { } token
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(key));
}
