using System.Net;
using System.Net.Sockets;
using WsGateway.Listening;

namespace WsGateway.Tests.Listening;

public sealed class ListenProblemTests
{
    [Theory]
    [InlineData("127.0.0.1", 12345, SocketError.AddressAlreadyInUse,
        "cannot listen on 127.0.0.1:12345: address already in use (another gateway? use --port)")]
    [InlineData("0.0.0.0", 80, SocketError.AccessDenied,
        "cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; use --port)")]
    [InlineData("127.0.0.1", 12345, SocketError.AccessDenied,
        "cannot listen on 127.0.0.1:12345: permission denied (use --port or another Listen:Address)")]
    [InlineData("192.0.2.1", 12345, SocketError.AddressNotAvailable,
        "cannot listen on 192.0.2.1:12345: address not available (no network interface has it; check Listen:Address)")]
    [InlineData("::1", 12345, SocketError.AddressAlreadyInUse,
        "cannot listen on [::1]:12345: address already in use (another gateway? use --port)")]
    public void Names_the_address_and_what_to_do(string address, int port, SocketError error, string expected) =>
        Assert.Equal(expected, ListenProblem.Describe(new IPEndPoint(IPAddress.Parse(address), port), error, "system text"));

    [Fact]
    public void Other_errors_keep_the_systems_words() =>
        Assert.Equal(
            "cannot listen on 127.0.0.1:1: Network is unreachable",
            ListenProblem.Describe(new IPEndPoint(IPAddress.Loopback, 1), SocketError.NetworkUnreachable, "Network is unreachable"));
}
