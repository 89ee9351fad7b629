using System.Net;
using WsGateway.Handshake;

namespace WsGateway.Tests.Handshake;

public sealed class HostFilterTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:12345")]
    [InlineData("LOCALHOST:80")]
    [InlineData("127.0.0.1:12345")]
    [InlineData("[::1]:12345")]
    [InlineData("[::1]")]
    [InlineData("localhost.:12345")]
    public void Loopback_names_on_any_port_are_what_a_loopback_gateway_accepts_by_default(string host)
    {
        var patterns = HostFilter.Effective([], IPAddress.Loopback)!;
        Assert.True(HostFilter.IsAllowed(host, patterns));
    }

    [Theory]
    [InlineData("evil.example:12345")]
    [InlineData("evil.example")]
    [InlineData("localhost.evil.example")]
    [InlineData("127.0.0.1.nip.io:12345")]
    [InlineData("[::2]:12345")]
    [InlineData("localhost:notaport")]
    [InlineData("")]
    [InlineData(null)]
    public void Any_other_name_or_a_malformed_or_missing_host_is_refused(string? host)
    {
        Assert.False(HostFilter.IsAllowed(host, HostFilter.Effective([], IPAddress.IPv6Loopback)!));
    }

    [Fact]
    public void A_gateway_on_a_public_address_without_a_list_accepts_any_host()
    {
        Assert.Null(HostFilter.Effective([], IPAddress.Any));
        Assert.Same(HostFilter.LoopbackNames, HostFilter.Effective([], IPAddress.Parse("127.0.0.5")));
    }

    [Theory]
    [InlineData("gateway.example.com", "GATEWAY.example.com:443", true)]
    [InlineData("gateway.example.com:8443", "gateway.example.com:8443", true)]
    [InlineData("gateway.example.com:8443", "gateway.example.com:443", false)]
    [InlineData("gateway.example.com:8443", "gateway.example.com", false)]
    [InlineData("*.example.com", "eu.example.com", true)]
    [InlineData("*.example.com", "a.b.example.com:1", true)]
    [InlineData("*.example.com", "example.com", false)]
    [InlineData("*.example.com", "badexample.com", false)]
    [InlineData("*", "anything.at.all:9", true)]
    public void Configured_patterns_match_by_name_port_and_subdomain(string pattern, string host, bool allowed)
    {
        Assert.Equal(allowed, HostFilter.IsAllowed(host, HostFilter.Effective([pattern], IPAddress.Loopback)!));
    }

    [Theory]
    [InlineData("gateway.example.com", null)]
    [InlineData("[::1]:80", null)]
    [InlineData("*.example.com", null)]
    [InlineData("*", null)]
    [InlineData("http://gateway.example.com", "expected")]
    [InlineData("gate/way", "not a host")]
    [InlineData("gateway.example.com:99999", "expected")]
    [InlineData("", "expected")]
    public void Patterns_are_checked_for_the_configuration(string pattern, string? problem)
    {
        var found = HostFilter.PatternProblem(pattern);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }
}
