using WsGateway.Handshake;
using WsGateway.Http;
using WsGateway.Proxies;

namespace WsGateway.Tests.Http;

public sealed class HostAndPortTests
{
    [Theory]
    [InlineData("example.com", "example.com", null)]
    [InlineData("example.com:8080", "example.com", 8080)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1)]
    [InlineData("[::1]", "[::1]", null)]
    [InlineData("[::1]:65535", "[::1]", 65535)]
    [InlineData("2001:db8::1", "2001:db8::1", null)]
    public void Splits_host_and_port(string text, string host, int? port)
    {
        Assert.True(HostAndPort.TrySplit(text, out var parsedHost, out var parsedPort));
        Assert.Equal(host, parsedHost.ToString());
        Assert.Equal(port, parsedPort);
    }

    [Theory]
    [InlineData("example.com:")]
    [InlineData("example.com:0")]
    [InlineData("example.com:65536")]
    [InlineData("example.com:000080")]
    [InlineData("example.com:+80")]
    [InlineData("example.com:8a")]
    [InlineData("[::1")]
    [InlineData("[::1]80")]
    [InlineData("[::1]:0")]
    public void Refuses_a_bad_port_or_bracket(string text) =>
        Assert.False(HostAndPort.TrySplit(text, out _, out _));

    /// <summary>The Host check, the origin patterns and X-Forwarded-For hops once had three rules for ports.</summary>
    [Theory]
    [InlineData("0")]
    [InlineData("000080")]
    [InlineData("65536")]
    public void Every_reader_refuses_the_same_ports(string port)
    {
        Assert.NotNull(HostFilter.PatternProblem("example.com:" + port));
        Assert.False(HostFilter.IsAllowed("example.com:" + port, ["example.com"]));
        Assert.Null(OriginPattern.TryParse("https://example.com:" + port, out _));
        Assert.False(ForwardedFor.TryParseHop("10.0.0.1:" + port, out _));
    }

    [Fact]
    public void Every_reader_takes_the_same_good_port()
    {
        Assert.Null(HostFilter.PatternProblem("example.com:443"));
        Assert.True(HostFilter.IsAllowed("example.com:443", ["example.com:443"]));
        Assert.NotNull(OriginPattern.TryParse("https://example.com:443", out _));
        Assert.True(ForwardedFor.TryParseHop("[2001:db8::1]:443", out var hop));
        Assert.Equal(443, hop.Port);
    }
}
