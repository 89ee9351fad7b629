using WsGateway.Options;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>
/// One gateway shared by the tests of a class (each gateway start warms up the script compiler, which costs a core for
/// a while on a small machine). Tests that count something compare before and after.
/// </summary>
public abstract class GatewayFixture : IAsyncLifetime
{
    public TestGateway Gateway { get; private set; } = null!;

    protected abstract void Configure(GatewayOptions options);

    public virtual async Task InitializeAsync() => Gateway = await TestGateway.StartAsync(Configure);

    public virtual async Task DisposeAsync() => await Gateway.DisposeAsync();
}

public sealed class JwtGatewayFixture : GatewayFixture
{
    protected override void Configure(GatewayOptions options) => TestTokens.Configure(options, "jwt");
}

public sealed class MixedGatewayFixture : GatewayFixture
{
    protected override void Configure(GatewayOptions options) => TestTokens.Configure(options, "jwt", "none");
}

public sealed class ApiKeyGatewayFixture : GatewayFixture
{
    public const string DeployBotKey = "deploy-bot-key-0123456789abcdef";
    public const string ReaderKey = "reader-key-0123456789abcdef-xyz";

    protected override void Configure(GatewayOptions options)
    {
        options.Authentication.Methods = ["apikey"];
        options.Authentication.ApiKeys =
        [
            new ApiKeyOptions { Name = "deploy-bot", Key = DeployBotKey, Roles = ["admin"] },
            new ApiKeyOptions { Name = "reader", Key = ReaderKey },
        ];
    }
}

/// <summary>
/// Authentication:Methods = ["plugin:testheader"] with <see cref="TestAuthPlugin"/> in the plugins folder from the
/// start, and scripts that ask for roles: <c>report</c> (role admin), <c>audit</c> (role admin, for the test that
/// breaks it), and <c>broken</c>, whose <c>requires:</c> line does not parse.
/// </summary>
public sealed class PluginGatewayFixture : GatewayFixture
{
    public const string BrokenRequires = "// requires: rol admin";

    protected override void Configure(GatewayOptions options)
    {
        options.Authentication.Methods = ["plugin:" + TestAuthPlugin.AuthenticatorName];
        TestAuthPlugin.Install(options.ResolvePath(options.Plugins.Directory));
        var scripts = options.ResolvePath(options.Scripts.Directory);
        File.WriteAllText(Path.Combine(scripts, "report.csx"), "// description: The admins' report\n// requires: role admin\n\"report for admins\"\n");
        File.WriteAllText(Path.Combine(scripts, "audit.csx"), "// description: The audit trail\n// requires: role admin\n\"audit v1\"\n");
        File.WriteAllText(Path.Combine(scripts, "broken.csx"), $"// description: A typo in its requirement\n{BrokenRequires}\n\"broken ran\"\n");
    }
}
