using WsGateway.Benchmark.Soak;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>
/// A real plugin DLL, compiled with Roslyn against the contracts assembly (as the soak's ProbePlugin is): an
/// <see cref="IAuthenticator"/> named <c>testheader</c> and a <c>secret</c> command that requires the role admin.
/// </summary>
/// <remarks>
/// The authenticator reads the caller from the header <c>X-Test-User</c> (or the cookie <c>test_user</c>) and the roles
/// from <c>X-Test-Roles</c> (or the cookie <c>test_roles</c>), comma-separated; <c>mallory</c> is forbidden, and for
/// <c>crash</c> it throws.
/// </remarks>
public static class TestAuthPlugin
{
    public const string Name = "TestAuth";
    public const string AuthenticatorName = "testheader";

    private const string Source = """
        using System;
        using System.Threading;
        using System.Threading.Tasks;
        using WsGateway.Contracts;

        [assembly: System.Reflection.AssemblyInformationalVersion("1.0.0")]

        namespace TestAuth;

        public sealed class HeaderAuthenticator : IAuthenticator
        {
            public string Name => "testheader";

            public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
            {
                string? user = request.GetHeader("X-Test-User");
                if (user is null && request.Cookies.TryGetValue("test_user", out var fromCookie))
                {
                    user = fromCookie;
                }

                if (string.IsNullOrEmpty(user))
                {
                    return ValueTask.FromResult(AuthenticationResult.NoCredentials);
                }

                if (user == "mallory")
                {
                    return ValueTask.FromResult(AuthenticationResult.Forbid("mallory is banned"));
                }

                if (user == "crash")
                {
                    throw new InvalidOperationException("the test authenticator fails on purpose");
                }

                string roles = request.GetHeader("X-Test-Roles") ?? (request.Cookies.TryGetValue("test_roles", out var r) ? r : "");
                return ValueTask.FromResult(AuthenticationResult.Accept(new CallerIdentity(
                    user, Name, roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))));
            }
        }

        [RequiresRole("admin")]
        public sealed class SecretCommand : ICommand
        {
            public string Name => "secret";
            public string Description => "Tells the secret";

            public ValueTask ExecuteAsync(ICommandContext context)
            {
                context.Logger.Information("Telling the secret");
                return context.ReplyAsync("the secret is 42, " + context.Session.Identity.Name);
            }
        }
        """;

    private static readonly Lazy<byte[]> Compiled = new(Compile);

    /// <summary>The DLL's bytes, compiled on first use (once per test run).</summary>
    public static byte[] Dll => Compiled.Value;

    /// <summary>
    /// Puts the plugin into <paramref name="pluginsDirectory"/> as <c>TestAuth/TestAuth.dll</c>, staged next to it
    /// and renamed in, so a running gateway's watcher sees the complete folder at once.
    /// </summary>
    public static void Install(string pluginsDirectory)
    {
        var staging = Path.Combine(pluginsDirectory, "." + Name + ".staging");
        Directory.CreateDirectory(staging);
        File.WriteAllBytes(Path.Combine(staging, Name + ".dll"), Dll);
        Directory.Move(staging, Path.Combine(pluginsDirectory, Name));
    }

    // The soak's compiler: the runtime, the contracts and Serilog, as a plugin project builds.
    private static byte[] Compile() => ProbePlugin.CompileAssembly(Name, Source);
}
