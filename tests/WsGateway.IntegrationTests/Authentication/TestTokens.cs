using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>
/// HS256 tokens signed the way an issuer would (<see cref="JsonWebTokenHandler.CreateToken(SecurityTokenDescriptor)"/>),
/// for a gateway configured with <see cref="Configure"/>.
/// </summary>
public static class TestTokens
{
    public const string Issuer = "https://issuer.test.example";
    public const string Audience = "wsgateway-tests";
    public const string SigningKey = "the-integration-tests-hs256-secret-0123456789";
    public const string OtherKey = "a-different-hs256-secret-nobody-configured-0123";

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Authentication:Methods = <paramref name="methods"/> with the JWT settings these tokens match.</summary>
    public static void Configure(GatewayOptions options, params string[] methods)
    {
        options.Authentication.Methods = methods;
        options.Authentication.Jwt.Issuer = Issuer;
        options.Authentication.Jwt.Audience = Audience;
        options.Authentication.Jwt.SigningKey = SigningKey;
    }

    /// <param name="expires">When the token expires; an hour from now when null.</param>
    public static string Create(
        string subject,
        string[]? roles = null,
        DateTime? expires = null,
        string audience = Audience,
        string issuer = Issuer,
        string key = SigningKey)
    {
        var now = DateTime.UtcNow;
        var expiry = expires ?? now.AddHours(1);
        // Issued and valid from before the expiry, so that an already-expired token can be made at all.
        var notBefore = expiry < now ? expiry.AddMinutes(-10) : now.AddMinutes(-1);
        var claims = new Dictionary<string, object> { ["sub"] = subject };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = notBefore,
            NotBefore = notBefore,
            Expires = expiry,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
    }
}
