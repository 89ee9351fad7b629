namespace WsGateway.IntegrationTests.Operations;

public sealed class OriginTests
{
    private static async Task<string> UpgradeWithOriginAsync(TestGateway gateway, string? origin)
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);
        var extra = origin is null ? null : $"Origin: {origin}\r\n";
        return await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/", extra));
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("https://localhost.evil.example")]
    [InlineData("null")]
    public async Task Foreign_origin_is_refused_with_403_by_default(string origin)
    {
        await using var gateway = await TestGateway.StartAsync();
        Assert.StartsWith("HTTP/1.1 403", await UpgradeWithOriginAsync(gateway, origin));
        Assert.Contains(gateway.Logs.Messages(), m => m.Contains("refused with 403", StringComparison.Ordinal) && m.Contains(origin, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://localhost:3000")]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("HTTP://LOCALHOST")]
    public async Task Localhost_pages_and_clients_without_origin_are_allowed_by_default(string origin)
    {
        await using var gateway = await TestGateway.StartAsync();
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, origin));
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, null));
    }

    [Fact]
    public async Task The_gateways_own_origin_is_allowed_as_self()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Origins.Allowed = ["self"]);
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, $"http://127.0.0.1:{gateway.Port}"));
        Assert.StartsWith("HTTP/1.1 403", await UpgradeWithOriginAsync(gateway, "http://127.0.0.1:1"));
    }

    [Fact]
    public async Task Null_origin_of_file_pages_is_allowed_when_listed()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Origins.Allowed = ["self", "null"]);
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, "null"));
    }

    [Fact]
    public async Task Star_allows_every_origin_and_missing_origin_can_be_refused()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Origins.Allowed = ["*"];
            o.Origins.AllowMissing = false;
        });
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, "https://anything.example"));
        Assert.StartsWith("HTTP/1.1 403", await UpgradeWithOriginAsync(gateway, null));
    }

    [Fact]
    public async Task Exact_origin_with_port_allows_only_that_port()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Origins.Allowed = ["https://app.example:8443"]);
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, "https://app.example:8443"));
        Assert.StartsWith("HTTP/1.1 403", await UpgradeWithOriginAsync(gateway, "https://app.example:9443"));
    }

    [Fact]
    public async Task Origin_allow_list_changes_apply_to_the_next_handshake_without_restart()
    {
        await using var gateway = await TestGateway.StartAsync();
        Assert.StartsWith("HTTP/1.1 403", await UpgradeWithOriginAsync(gateway, "https://partner.example"));
        var next = new WsGateway.Options.GatewayOptions();
        next.Listen = gateway.Gateway.Options.Current.Listen;
        next.Plugins = gateway.Gateway.Options.Current.Plugins;
        next.Scripts = gateway.Gateway.Options.Current.Scripts;
        next.Shutdown = gateway.Gateway.Options.Current.Shutdown;
        next.Origins.Allowed = ["https://partner.example"];
        Assert.Empty(gateway.Gateway.Options.Reload(next));
        Assert.StartsWith("HTTP/1.1 101", await UpgradeWithOriginAsync(gateway, "https://partner.example"));
    }
}
