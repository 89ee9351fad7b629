using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>The PROXY protocol on the gateway's listener, written by hand: trusted peers must send it, others must not.</summary>
public sealed class ProxyProtocolTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await TestGateway.StartAsync(options =>
        {
            options.Proxies.TrustedProxies = ["127.0.0.1"];
            options.Proxies.ProxyProtocol = true;
        });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_trusted_peers_v1_header_names_the_client()
    {
        var answer = await SendAsync(IPAddress.Loopback, "PROXY TCP4 203.0.113.9 127.0.0.1 51000 80\r\n");

        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.True(await Eventually.TrueAsync(
            () => ProxiedGateways.OpenedFrom(_gateway).Contains(IPAddress.Parse("203.0.113.9")), Eventually.Patience));
    }

    [Fact]
    public async Task A_proxy_header_from_a_peer_that_is_not_trusted_closes_the_connection()
    {
        var answer = await SendAsync(IPAddress.Parse("127.0.0.2"), "PROXY TCP4 203.0.113.9 127.0.0.1 51000 80\r\n");

        Assert.Equal("", answer);
        Assert.Empty(ProxiedGateways.OpenedFrom(_gateway));
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("a PROXY header from a peer not in Proxies:TrustedProxies", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_trusted_peer_without_a_proxy_header_is_closed()
    {
        var answer = await SendAsync(IPAddress.Loopback, "");

        Assert.Equal("", answer);
        Assert.Empty(ProxiedGateways.OpenedFrom(_gateway));
    }

    [Fact]
    public async Task A_peer_that_is_not_trusted_connects_as_itself_without_a_header()
    {
        var answer = await SendAsync(IPAddress.Parse("127.0.0.2"), "");

        Assert.StartsWith("HTTP/1.1 101", answer);
        Assert.True(await Eventually.TrueAsync(
            () => ProxiedGateways.OpenedFrom(_gateway).Contains(IPAddress.Parse("127.0.0.2")), Eventually.Patience));
    }

    /// <summary>Connects from <paramref name="local"/>, sends the prefix and an upgrade request; returns all the gateway answered before closing or the first response head.</summary>
    private async Task<string> SendAsync(IPAddress local, string prefix)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(local, 0));
        await socket.ConnectAsync(IPAddress.Loopback, _gateway.Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes(prefix + RawWebSocketClient.UpgradeRequest(_gateway.Port)), SocketFlags.None);
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        var received = new StringBuilder();
        var buffer = new byte[1024];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }

        return received.ToString();
    }
}
