using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace WsGateway.Tests.Authentication;

/// <summary>JSON Web Tokens the tests sign themselves, with the issuer and audience the tests configure.</summary>
internal static class Tokens
{
    public const string Issuer = "https://issuer.test";
    public const string Audience = "wsgateway-tests";

    /// <summary>An HS256 secret of 40 bytes (the gateway wants at least 32).</summary>
    public const string Secret = "test-signing-secret-0123456789-abcdefghi";

    public const string OtherSecret = "another-secret-nobody-configured-98765432";

    public static SigningCredentials Hs256(string secret = Secret) =>
        new(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256);

    /// <summary>
    /// A token for <paramref name="subject"/>, valid from a minute ago for an hour unless the descriptor is changed by
    /// <paramref name="change"/>; <paramref name="claims"/> are added to the payload as they are (strings or arrays).
    /// </summary>
    public static string Create(
        string? subject = "alice", SigningCredentials? credentials = null, Action<SecurityTokenDescriptor>? change = null,
        params (string Type, object Value)[] claims)
    {
        var now = DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now.AddHours(1),
            SigningCredentials = credentials ?? Hs256(),
            Claims = new Dictionary<string, object>(StringComparer.Ordinal),
        };
        if (subject is not null)
        {
            descriptor.Claims["sub"] = subject;
        }

        foreach (var (type, value) in claims)
        {
            descriptor.Claims[type] = value;
        }

        change?.Invoke(descriptor);
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// <summary>An unsigned token (<c>alg: none</c>, empty signature) with an otherwise valid payload.</summary>
    public static string Unsigned(string subject = "mallory")
    {
        long exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        long nbf = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64UrlEncoder.Encode(
            $$"""{"iss":"{{Issuer}}","aud":"{{Audience}}","sub":"{{subject}}","roles":["admin"],"nbf":{{nbf}},"iat":{{nbf}},"exp":{{exp}}}""");
        return header + "." + payload + ".";
    }

    /// <summary>An HS256 token over exactly <paramref name="payloadJson"/>, for payloads the library would not write (no exp).</summary>
    public static string SignedPayload(string payloadJson, string secret = Secret)
    {
        var signed = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""") + "." + Base64UrlEncoder.Encode(payloadJson);
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signed));
        return signed + "." + Base64UrlEncoder.Encode(signature);
    }
}
