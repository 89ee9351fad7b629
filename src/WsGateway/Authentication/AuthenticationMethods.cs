using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Authentication;

/// <summary>
/// <c>Authentication:Methods</c> made into authenticators, in order. The configuration check builds them too, so a
/// key that does not load refuses the configuration instead of every handshake.
/// </summary>
internal sealed class AuthenticationMethods
{
    public const string PluginPrefix = "plugin:";

    private AuthenticationMethods(AuthenticationOptions source, IReadOnlyList<Method> methods, IReadOnlyList<string>? problems = null)
    {
        Source = source;
        Methods = methods;
        Problems = problems;
    }

    /// <summary>The options these were built from (rebuilt when a reload brings new ones).</summary>
    public AuthenticationOptions Source { get; }

    public IReadOnlyList<Method> Methods { get; }

    /// <summary>Set when these options could not be built (see <see cref="Unusable"/>): every handshake is then refused.</summary>
    public IReadOnlyList<string>? Problems { get; }

    /// <summary>
    /// True when <c>none</c> is the only method and no role is required: every handshake is anonymous and nothing else
    /// runs. With <c>RequiredRoles</c> set, anonymous callers (who hold no role) are refused, so the methods do run.
    /// </summary>
    public bool AnonymousOnly => Methods is [{ Authenticator: AnonymousAuthenticator }] && Source.RequiredRoles.Length == 0;

    /// <returns>Null when something is wrong; then <paramref name="problems"/> says what (never a secret).</returns>
    public static AuthenticationMethods? Build(AuthenticationOptions options, Func<string, string> resolvePath, List<string> problems)
    {
        int before = problems.Count;
        var methods = new List<Method>();
        if (options.Methods.Length == 0)
        {
            problems.Add("Authentication:Methods is empty (use [\"none\"] to let everyone connect)");
        }

        for (int i = 0; i < options.Methods.Length; i++)
        {
            var name = options.Methods[i]?.Trim() ?? "";
            var key = $"Authentication:Methods[{i}]";
            if (methods.Exists(m => m.Name.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{key} \"{name}\" is listed twice");
                continue;
            }

            switch (name.ToLowerInvariant())
            {
                case "none":
                    if (i != options.Methods.Length - 1)
                    {
                        // It accepts everyone, so whatever came after it would never run.
                        problems.Add($"{key} \"none\" must be the last method: it lets everyone in, so the ones after it would never run");
                    }

                    methods.Add(new Method(name, AnonymousAuthenticator.Instance, null));
                    break;
                case "jwt":
                    if (JwtAuthenticator.Create(options.Jwt, resolvePath, problems) is { } jwt)
                    {
                        methods.Add(new Method(name, jwt, null));
                    }

                    break;
                case "apikey":
                    if (ApiKeyAuthenticator.Create(options.ApiKeys, problems) is { } apiKey)
                    {
                        methods.Add(new Method(name, apiKey, null));
                    }

                    break;
                default:
                    if (name.StartsWith(PluginPrefix, StringComparison.OrdinalIgnoreCase) && CommandNames.IsValid(name[PluginPrefix.Length..]))
                    {
                        methods.Add(new Method(name, null, name[PluginPrefix.Length..]));
                    }
                    else
                    {
                        problems.Add($"{key} \"{name}\" is not a method (none, jwt, apikey or plugin:NAME)");
                    }

                    break;
            }
        }

        if (options.Methods.Length > 0 && options.Methods.All(m => !string.Equals(m?.Trim(), "jwt", StringComparison.OrdinalIgnoreCase)) && HasJwtSettings(options.Jwt))
        {
            problems.Add("Authentication:Jwt is set but Authentication:Methods does not list \"jwt\"");
        }

        for (int i = 0; i < options.RequiredRoles.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(options.RequiredRoles[i]))
            {
                problems.Add($"Authentication:RequiredRoles[{i}] is empty");
            }
        }

        return problems.Count > before ? null : new AuthenticationMethods(options, methods);
    }

    /// <summary>
    /// Methods that refuse everyone, for options that passed the configuration check but no longer build (a key file
    /// deleted since): failing closed, never letting anyone in unauthenticated.
    /// </summary>
    public static AuthenticationMethods Unusable(AuthenticationOptions source, IReadOnlyList<string> problems) => new(source, [], problems);

    private static bool HasJwtSettings(JwtOptions jwt) =>
        jwt.Issuer.Length > 0 || jwt.Audience.Length > 0 || jwt.SigningKey.Length > 0 || jwt.PublicKeyFile.Length > 0 || jwt.JwksFile.Length > 0;

    /// <summary>One configured method: a built-in authenticator, or the name of a plugin's, looked up per handshake.</summary>
    internal sealed record Method(string Name, IAuthenticator? Authenticator, string? PluginAuthenticator);
}
