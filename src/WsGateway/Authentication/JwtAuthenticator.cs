using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Authentication;

/// <summary>
/// The <c>jwt</c> method: a signed JSON Web Token as the bearer credential, validated by
/// <see cref="JsonWebTokenHandler"/> (signature, issuer, audience, lifetime with clock skew; unsigned tokens and
/// <c>alg: none</c> are refused).
/// </summary>
internal sealed class JwtAuthenticator : IAuthenticator
{
    public const int MinimumSecretBytes = 32;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly TimeSpan _clockSkew;
    private readonly string _nameClaim;
    private readonly string _roleClaim;

    private JwtAuthenticator(TokenValidationParameters parameters, string nameClaim, string roleClaim)
    {
        _parameters = parameters;
        _clockSkew = parameters.ClockSkew;
        _nameClaim = nameClaim;
        _roleClaim = roleClaim;
    }

    public string Name => "jwt";

    /// <summary>Builds the validator and loads its keys; what is wrong goes to <paramref name="problems"/>, secrets never.</summary>
    public static JwtAuthenticator? Create(JwtOptions jwt, Func<string, string> resolvePath, List<string> problems)
    {
        int before = problems.Count;
        if (string.IsNullOrWhiteSpace(jwt.Issuer))
        {
            problems.Add("Authentication:Jwt:Issuer is empty (the iss every token must carry)");
        }

        if (string.IsNullOrWhiteSpace(jwt.Audience))
        {
            problems.Add("Authentication:Jwt:Audience is empty (the aud every token must carry)");
        }

        if (!(jwt.ClockSkewSeconds >= 0 && jwt.ClockSkewSeconds <= 600))
        {
            problems.Add($"Authentication:Jwt:ClockSkewSeconds must be between 0 and 600 (was {jwt.ClockSkewSeconds})");
        }

        if (string.IsNullOrWhiteSpace(jwt.NameClaim) || string.IsNullOrWhiteSpace(jwt.RoleClaim))
        {
            problems.Add("Authentication:Jwt:NameClaim and RoleClaim must name claims");
        }

        var keys = LoadKeys(jwt, resolvePath, problems);
        if (problems.Count > before)
        {
            return null;
        }

        return new JwtAuthenticator(
            new TokenValidationParameters
            {
                ValidIssuer = jwt.Issuer,
                ValidAudience = jwt.Audience,
                IssuerSigningKeys = keys,
                ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidateIssuerSigningKey = true,
            },
            jwt.NameClaim,
            jwt.RoleClaim);
    }

    private static List<SecurityKey> LoadKeys(JwtOptions jwt, Func<string, string> resolvePath, List<string> problems)
    {
        int before = problems.Count;
        var keys = new List<SecurityKey>();
        if (jwt.SigningKey.Length > 0)
        {
            var secret = Encoding.UTF8.GetBytes(jwt.SigningKey);
            if (secret.Length < MinimumSecretBytes)
            {
                problems.Add($"Authentication:Jwt:SigningKey is too short to be a secret (at least {MinimumSecretBytes} bytes, for HS256)");
            }
            else
            {
                keys.Add(new SymmetricSecurityKey(secret));
            }
        }

        if (jwt.PublicKeyFile.Length > 0 && ReadFile("Authentication:Jwt:PublicKeyFile", jwt.PublicKeyFile, resolvePath, problems) is { } pem)
        {
            if (PublicKey(pem) is { } key)
            {
                keys.Add(key);
            }
            else
            {
                problems.Add($"Authentication:Jwt:PublicKeyFile \"{jwt.PublicKeyFile}\" holds no PEM RSA or EC public key");
            }
        }

        if (jwt.JwksFile.Length > 0 && ReadFile("Authentication:Jwt:JwksFile", jwt.JwksFile, resolvePath, problems) is { } json)
        {
            try
            {
                var set = new JsonWebKeySet(json);
                var signing = set.GetSigningKeys();
                if (signing.Count == 0)
                {
                    problems.Add($"Authentication:Jwt:JwksFile \"{jwt.JwksFile}\" has no signing key");
                }

                keys.AddRange(signing);
            }
            catch (ArgumentException ex)
            {
                problems.Add($"Authentication:Jwt:JwksFile \"{jwt.JwksFile}\" is not a JSON Web Key Set: {ex.Message}");
            }
        }

        // Only when no key setting already has its own problem; earlier problems (an empty Issuer) do not hide this one.
        if (keys.Count == 0 && problems.Count == before)
        {
            problems.Add("Authentication:Jwt has no key: set SigningKey, PublicKeyFile or JwksFile");
        }

        return keys;
    }

    private static string? ReadFile(string key, string path, Func<string, string> resolvePath, List<string> problems)
    {
        try
        {
            return File.ReadAllText(resolvePath(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            problems.Add($"{key} \"{path}\" cannot be read: {ex.Message}");
            return null;
        }
    }

    private static SecurityKey? PublicKey(string pem) =>
        Import(RSA.Create(), pem, rsa => new RsaSecurityKey(rsa)) ?? Import(ECDsa.Create(), pem, ecdsa => new ECDsaSecurityKey(ecdsa));

    private static SecurityKey? Import<T>(T algorithm, string pem, Func<T, SecurityKey> key)
        where T : AsymmetricAlgorithm
    {
        // ImportFromPem throws ArgumentException when the file has no PEM block it knows, and CryptographicException
        // when a "PUBLIC KEY" block holds another algorithm's key (an EC key read as RSA) or does not decode.
        try
        {
            algorithm.ImportFromPem(pem);
            return key(algorithm);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            algorithm.Dispose();
            return null;
        }
    }

    public async ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
    {
        if (BearerCredential.Find(request) is not { } token || !BearerCredential.LooksLikeJwt(token))
        {
            return AuthenticationResult.NoCredentials;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken valid)
        {
            return AuthenticationResult.Fail(Describe(result.Exception));
        }

        return Identity(valid) is { } identity
            ? AuthenticationResult.Accept(identity)
            : AuthenticationResult.Fail($"token has no {_nameClaim} claim");
    }

    private CallerIdentity? Identity(JsonWebToken token)
    {
        var claims = new List<KeyValuePair<string, string>>();
        var roles = new List<string>();
        string? name = null;
        foreach (Claim claim in token.Claims)
        {
            claims.Add(new(claim.Type, claim.Value));
            if (claim.Type == _nameClaim)
            {
                name ??= claim.Value;
            }

            if (claim.Type == _roleClaim)
            {
                roles.Add(claim.Value);
            }
            else if (claim.Type == "scope")
            {
                roles.AddRange(claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        // The session ends when the handshake would stop accepting the token (exp plus the clock skew), so a token
        // accepted within the skew is not expired the moment its session opens.
        DateTimeOffset? expires = token.ValidTo == DateTime.MinValue ? null : new DateTimeOffset(token.ValidTo, TimeSpan.Zero) + _clockSkew;
        return new CallerIdentity(name, Name, roles, claims, expires);
    }

    /// <summary>A short reason for the client and the log; the library's own messages can quote the token.</summary>
    private static string Describe(Exception? failure) => failure switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidAudienceException => "token is for another audience",
        SecurityTokenInvalidIssuerException => "token is from another issuer",
        SecurityTokenSignatureKeyNotFoundException => "token signed with an unknown key",
        SecurityTokenInvalidSignatureException => "token signature is invalid or missing",
        SecurityTokenInvalidAlgorithmException => "token signed with an algorithm not accepted here",
        SecurityTokenMalformedException or ArgumentException => "token is malformed",
        _ => "token is invalid",
    };
}
