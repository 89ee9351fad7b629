using System.Security.Cryptography;
using System.Text;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Authentication;

/// <summary>
/// The <c>apikey</c> method: a bearer credential (header or <c>access_token</c>) equal to one of
/// <c>Authentication:ApiKeys</c>, compared in constant time. A credential shaped like a JWT is left to <c>jwt</c>.
/// </summary>
internal sealed class ApiKeyAuthenticator : IAuthenticator
{
    public const int MinimumKeyLength = 16;

    private readonly (byte[] Key, CallerIdentity Identity)[] _keys;

    private ApiKeyAuthenticator((byte[], CallerIdentity)[] keys) => _keys = keys;

    public string Name => "apikey";

    /// <summary>Reads the keys (from the file or their environment variables); problems never repeat a key.</summary>
    public static ApiKeyAuthenticator? Create(ApiKeyOptions[] keys, List<string> problems)
    {
        var loaded = new List<(byte[], CallerIdentity)>();
        if (keys.Length == 0)
        {
            problems.Add("Authentication:Methods has \"apikey\" but Authentication:ApiKeys is empty");
        }

        for (int i = 0; i < keys.Length; i++)
        {
            var entry = keys[i];
            var key = $"Authentication:ApiKeys[{i}]";
            if (string.IsNullOrWhiteSpace(entry.Name))
            {
                problems.Add($"{key}:Name is empty (it names the caller in logs and whoami)");
                continue;
            }

            var secret = entry.Key;
            if (entry.KeyEnvironmentVariable.Length > 0)
            {
                if (secret.Length > 0)
                {
                    problems.Add($"{key} (\"{entry.Name}\") has both Key and KeyEnvironmentVariable; keep one");
                    continue;
                }

                secret = Environment.GetEnvironmentVariable(entry.KeyEnvironmentVariable) ?? "";
                if (secret.Length == 0)
                {
                    problems.Add($"{key} (\"{entry.Name}\"): environment variable {entry.KeyEnvironmentVariable} is not set");
                    continue;
                }
            }

            if (secret.Trim().Length < MinimumKeyLength)
            {
                // The key itself is never repeated: these messages reach logs and terminals.
                problems.Add($"{key} (\"{entry.Name}\") is too short to be a secret (at least {MinimumKeyLength} characters)");
                continue;
            }

            loaded.Add((Encoding.UTF8.GetBytes(secret.Trim()), new CallerIdentity(entry.Name, "apikey", entry.Roles)));
        }

        return loaded.Count == keys.Length && keys.Length > 0 ? new ApiKeyAuthenticator([.. loaded]) : null;
    }

    /// <summary>The identity of the key equal to <paramref name="credential"/>, or null; for the upgrade and the HTTP API.</summary>
    public CallerIdentity? Match(string credential)
    {
        var presented = Encoding.UTF8.GetBytes(credential);
        CallerIdentity? match = null;
        // Every key is compared, so the time taken does not tell which key came close.
        foreach (var (key, identity) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(presented, key))
            {
                match = identity;
            }
        }

        return match;
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
    {
        if (BearerCredential.Find(request) is not { } credential || BearerCredential.LooksLikeJwt(credential))
        {
            return ValueTask.FromResult(AuthenticationResult.NoCredentials);
        }

        var match = Match(credential);
        return ValueTask.FromResult(match is null ? AuthenticationResult.Fail("unknown API key") : AuthenticationResult.Accept(match));
    }
}
