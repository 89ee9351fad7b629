using System.Net;
using WsGateway.Proxies;

namespace WsGateway.Tests.Proxies;

public sealed class ForwardedForTests
{
    private static readonly TrustedNetworks Trusted = TrustedNetworks.Parse(["10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    private static readonly IPEndPoint Proxy = new(IPAddress.Parse("10.0.0.5"), 40000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("198.51.100.20"), 40000);

    private static IPEndPoint Resolve(IPEndPoint peer, params string[] values) => ForwardedFor.Resolve(peer, values, Trusted);

    [Fact]
    public void A_trusted_proxy_names_the_client()
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.7"), 0), Resolve(Proxy, "203.0.113.7"));
    }

    [Fact]
    public void The_right_most_untrusted_hop_is_the_client_and_what_the_client_wrote_is_ignored()
    {
        // The client sent "X-Forwarded-For: 1.1.1.1"; two trusted proxies appended what they saw.
        Assert.Equal(IPAddress.Parse("203.0.113.7"), Resolve(Proxy, "1.1.1.1, 203.0.113.7, 10.0.0.9").Address);
    }

    [Fact]
    public void Several_header_lines_form_one_list_in_order()
    {
        Assert.Equal(IPAddress.Parse("203.0.113.7"), Resolve(Proxy, "1.1.1.1, 203.0.113.7", "10.0.0.9").Address);
        Assert.Equal(IPAddress.Parse("1.1.1.1"), Resolve(Proxy, "1.1.1.1", "10.0.0.9, 10.0.0.8").Address);
    }

    [Fact]
    public void An_untrusted_peer_is_the_client_whatever_it_claims()
    {
        Assert.Same(Stranger, Resolve(Stranger, "203.0.113.7"));
    }

    [Fact]
    public void Without_the_header_the_peer_is_the_client()
    {
        Assert.Same(Proxy, Resolve(Proxy));
        Assert.Same(Proxy, Resolve(Proxy, ""));
        Assert.Same(Proxy, Resolve(Proxy, " , "));
    }

    [Fact]
    public void When_every_hop_is_trusted_the_left_most_is_the_client()
    {
        Assert.Equal(IPAddress.Parse("10.1.1.1"), Resolve(Proxy, "10.1.1.1, 10.2.2.2").Address);
    }

    [Theory]
    [InlineData("unknown")]
    [InlineData("_hidden")]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4:99999")]
    [InlineData("[::1")]
    public void A_hop_that_is_not_an_address_stops_at_the_proxy_that_reported_it(string hop)
    {
        Assert.Equal(IPAddress.Parse("10.0.0.9"), Resolve(Proxy, $"203.0.113.7, {hop}, 10.0.0.9").Address);
    }

    [Theory]
    [InlineData("203.0.113.7:5555", "203.0.113.7", 5555)]
    [InlineData("2001:db8::7", "2001:db8::7", 0)]
    [InlineData("[2001:db8::7]", "2001:db8::7", 0)]
    [InlineData("[2001:db8::7]:443", "2001:db8::7", 443)]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7", 0)]
    public void Hops_may_carry_ports_and_ipv6_brackets(string hop, string address, int port)
    {
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), port), Resolve(Proxy, hop));
    }

    [Fact]
    public void An_ipv4_mapped_peer_is_trusted_by_its_ipv4_range()
    {
        var mapped = new IPEndPoint(IPAddress.Parse("::ffff:127.0.0.1"), 1);
        Assert.Equal(IPAddress.Parse("203.0.113.7"), Resolve(mapped, "203.0.113.7").Address);
    }

    [Theory]
    [InlineData(new[] { "http" }, "http")]
    [InlineData(new[] { "https, http" }, "http")]
    [InlineData(new[] { "http", "https " }, "https")]
    [InlineData(new[] { "https, " }, "https")]
    [InlineData(new string[0], null)]
    public void The_last_element_is_what_the_nearest_proxy_wrote(string[] values, string? expected)
    {
        Assert.Equal(expected, ForwardedFor.LastElement(values));
    }
}
