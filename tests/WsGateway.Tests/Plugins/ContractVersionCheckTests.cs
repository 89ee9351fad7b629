using WsGateway.Plugins;

namespace WsGateway.Tests.Plugins;

public sealed class ContractVersionCheckTests
{
    [Theory]
    [InlineData("1.0.0.0", "1.0.0.0")]
    [InlineData("1.0.0.0", "1.3.0.0")]
    [InlineData("1.3.0.0", "1.3.0.0")]
    [InlineData("1.3.9.0", "1.3.0.0")]
    public void A_plugin_built_against_the_same_or_an_older_minor_runs(string builtAgainst, string gateway) =>
        Assert.Null(ContractVersionCheck.Refusal(Version.Parse(builtAgainst), Version.Parse(gateway)));

    [Fact]
    public void A_plugin_built_against_a_newer_minor_is_refused_naming_both_versions() =>
        Assert.Equal(
            "it was built against WsGateway.Contracts 1.4 and this gateway has 1.3: update the gateway, or build the plugin against the gateway's version",
            ContractVersionCheck.Refusal(new Version(1, 4, 0, 0), new Version(1, 3, 0, 0)));

    [Fact]
    public void A_plugin_built_against_a_newer_major_is_refused_naming_both_versions() =>
        Assert.Equal(
            "it was built against WsGateway.Contracts 2.0 and this gateway has 1.3: update the gateway, or build the plugin against the gateway's version",
            ContractVersionCheck.Refusal(new Version(2, 0, 0, 0), new Version(1, 3, 0, 0)));

    [Fact]
    public void A_plugin_built_against_an_older_major_is_refused_naming_both_versions() =>
        Assert.Equal(
            "it was built against WsGateway.Contracts 1.3 and this gateway has 2.0: rebuild the plugin against the gateway's version",
            ContractVersionCheck.Refusal(new Version(1, 3, 0, 0), new Version(2, 0, 0, 0)));
}
