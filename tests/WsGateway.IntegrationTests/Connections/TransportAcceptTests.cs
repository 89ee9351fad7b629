using System.Net.Security;
using System.Net.Sockets;
using WsGateway.Diagnostics;
using WsGateway.IntegrationTests.Operations;
using WsGateway.Transport;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// Turning Nagle off on an accepted socket is best effort: where the system refuses it (macOS and the BSDs do for a
/// peer that already reset the connection; Linux, where these tests run, does not) the connection carries on and
/// fails, if it must, at its first read or send like any other, instead of throwing out of the accept path.
/// </summary>
/// <remarks>
/// Linux accepts TCP_NODELAY on a reset TCP socket, so the refusal is reproduced with a real socket that refuses it
/// everywhere: a Unix domain socket (EOPNOTSUPP).
/// </remarks>
public sealed class TransportAcceptTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"wsgateway-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener = new(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);

    public TransportAcceptTests()
    {
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(1);
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
    }

    /// <summary>A connected pair: the client's end, and the accepted end, which refuses TCP_NODELAY.</summary>
    private async Task<(Socket Client, Socket Accepted)> ConnectAsync()
    {
        var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(_path));
        var accepted = await _listener.AcceptAsync();
        Assert.Throws<SocketException>(() => accepted.NoDelay = true);
        return (client, accepted);
    }

    [Fact]
    public async Task A_socket_that_refuses_no_delay_still_becomes_a_working_plain_transport()
    {
        var (client, accepted) = await ConnectAsync();
        using var _ = client;
        await using var transport = TransportConnection.Accept(accepted, BufferBudget.Unlimited, new GatewayMetrics());

        await client.SendAsync("ping"u8.ToArray());
        Assert.Equal("ping", await ReadAsync(transport, 4));
    }

    [Fact]
    public async Task A_socket_that_refuses_no_delay_still_becomes_a_working_tls_transport()
    {
        using var certificate = TestCertificate.Create();
        var (client, accepted) = await ConnectAsync();
        await using var tls = new SslStream(new NetworkStream(client, ownsSocket: true), false, (_, _, _, _) => true);
        using var timeout = new CancellationTokenSource(Eventually.Patience);

        var clientHandshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, timeout.Token);
        await using var transport = await TransportConnection.AcceptTlsAsync(accepted, certificate, BufferBudget.Unlimited, new GatewayMetrics(), timeout.Token);
        await clientHandshake;

        await tls.WriteAsync("ping"u8.ToArray(), timeout.Token);
        Assert.Equal("ping", await ReadAsync(transport, 4));
    }

    private static async Task<string> ReadAsync(TransportConnection transport, int length)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        while (true)
        {
            var result = await transport.Input.ReadAsync(timeout.Token);
            if (result.Buffer.Length >= length || result.IsCompleted)
            {
                var text = System.Text.Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(result.Buffer));
                transport.Input.AdvanceTo(result.Buffer.End);
                return text;
            }

            transport.Input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }
}
