using System.Net;
using WsGateway.Proxies;

namespace WsGateway.Tests.Proxies;

public sealed class TrustedNetworksTests
{
    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5", true)]
    [InlineData("10.0.0.5", "10.0.0.6", false)]
    [InlineData("10.0.0.0/8", "10.255.1.2", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("fd00::/8", "fd12::1", true)]
    [InlineData("::1", "::1", true)]
    [InlineData("127.0.0.1", "::ffff:127.0.0.1", true)]
    [InlineData("0.0.0.0/0", "::1", false)]
    public void Addresses_and_ranges_contain_what_they_should(string entry, string address, bool expected)
    {
        Assert.Equal(expected, TrustedNetworks.Parse([entry]).Contains(IPAddress.Parse(address)));
    }

    [Fact]
    public void Nothing_is_trusted_by_default()
    {
        Assert.True(TrustedNetworks.None.IsEmpty);
        Assert.False(TrustedNetworks.None.Contains(IPAddress.Loopback));
        Assert.False(TrustedNetworks.Parse(["127.0.0.1"]).Contains(null));
    }

    [Theory]
    [InlineData("10.0.0.1/8", "host bits are set; the range is 10.0.0.0/8")]
    [InlineData("10.0.0.0/33", "expected a CIDR range like 10.0.0.0/8 or fd00::/8")]
    [InlineData("localhost", "expected an IP address like 10.0.0.5 or a CIDR range like 10.0.0.0/8")]
    [InlineData("1", "expected an IP address like 10.0.0.5 or a CIDR range like 10.0.0.0/8")]
    [InlineData("[::1]", "expected an IP address like 10.0.0.5 or a CIDR range like 10.0.0.0/8")]
    public void Entries_that_are_not_addresses_or_ranges_say_why(string entry, string problem)
    {
        Assert.False(TrustedNetworks.TryParse(entry, out _, out var found));
        Assert.Equal(problem, found);
    }
}
