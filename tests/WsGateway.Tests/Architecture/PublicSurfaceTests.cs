namespace WsGateway.Tests.Architecture;

/// <summary>
/// What WsGateway.dll exposes is what the host needs: the gateway, its options (the shape of gateway.json) and their
/// reader. Everything else is internal and may change in any release; command authors use WsGateway.Contracts only.
/// The README's "What is the contract" section lists the same.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Expected =
    [
        "WsGateway.Gateway",
        "WsGateway.GatewayOptionsReader",
        "WsGateway.Options.ApiKeyOptions",
        "WsGateway.Options.ApiOptions",
        "WsGateway.Options.AuthenticationOptions",
        "WsGateway.Options.ClusterOptions",
        "WsGateway.Options.CommandLogLevel",
        "WsGateway.Options.CommandOptions",
        "WsGateway.Options.CompressionOptions",
        "WsGateway.Options.EchoOptions",
        "WsGateway.Options.ExpiryAction",
        "WsGateway.Options.ForwardedHeader",
        "WsGateway.Options.GatewayOptions",
        "WsGateway.Options.HistoryGroupOptions",
        "WsGateway.Options.HistoryOptions",
        "WsGateway.Options.HostOptions",
        "WsGateway.Options.JwtOptions",
        "WsGateway.Options.LimitsOptions",
        "WsGateway.Options.ListenOptions",
        "WsGateway.Options.LiveOptions",
        "WsGateway.Options.MetricsOptions",
        "WsGateway.Options.OriginOptions",
        "WsGateway.Options.PluginOptions",
        "WsGateway.Options.ProxyOptions",
        "WsGateway.Options.RateLimitAction",
        "WsGateway.Options.ScriptOptions",
        "WsGateway.Options.ShutdownOptions",
        "WsGateway.Options.TlsOptions",
    ];

    [Fact]
    public void The_gateway_assembly_exposes_the_host_contract_only()
    {
        var exported = typeof(Gateway).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal);
        Assert.Equal(Expected.Order(StringComparer.Ordinal), exported);
    }

    [Fact]
    public void Scripts_compile_against_the_contract_assembly()
    {
        Assert.Equal(typeof(WsGateway.Contracts.ICommand).Assembly, typeof(WsGateway.Contracts.ScriptGlobals).Assembly);
    }

    [Fact]
    public void The_readme_lists_the_public_surface()
    {
        var readme = File.ReadAllText(Path.Combine(Plugins.RepositoryPaths.Root, "README.md"));
        var missing = Expected.Select(name => name[(name.LastIndexOf('.') + 1)..]).Where(name => !readme.Contains($"`{name}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README does not name: " + string.Join(", ", missing));
    }
}
