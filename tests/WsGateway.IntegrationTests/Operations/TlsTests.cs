using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;

namespace WsGateway.IntegrationTests.Operations;

public sealed class TlsTests
{
    private static async Task<ClientWebSocket> ConnectTrustingAsync(int port, X509Certificate2 expected, string path = "/echo")
    {
        var client = new ClientWebSocket();
        client.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            certificate is not null && certificate.GetCertHashString() == expected.GetCertHashString();
        await client.ConnectAsync(new Uri($"wss://127.0.0.1:{port}{path}"), CancellationToken.None);
        return client;
    }

    [Fact]
    public async Task Wss_client_connects_with_a_pfx_certificate()
    {
        using var certificate = TestCertificate.Create();
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            TestCertificate.WritePfx(certificate, Path.Combine(o.BaseDirectory, "gateway.pfx"), "secret");
            o.Tls.CertificatePath = "gateway.pfx";
            o.Tls.Password = "secret";
        });

        using var client = await ConnectTrustingAsync(gateway.Port, certificate);
        Assert.Equal("over tls", await client.AskAsync("over tls"));
        Assert.Contains(gateway.Logs.Messages(), m => m.StartsWith("Listening on \"wss\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wss_client_connects_with_a_pem_certificate_and_key_and_commands_work()
    {
        using var certificate = TestCertificate.Create();
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            TestCertificate.WritePem(certificate, Path.Combine(o.BaseDirectory, "cert.pem"), Path.Combine(o.BaseDirectory, "key.pem"));
            o.Tls.CertificatePath = "cert.pem";
            o.Tls.KeyPath = "key.pem";
        });

        using var client = await ConnectTrustingAsync(gateway.Port, certificate, "/");
        Assert.Contains("help", await client.AskAsync("help"));

        using var http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.GetCertHashString() == certificate.GetCertHashString(),
        });
        Assert.Equal("ok", (await http.GetStringAsync($"https://127.0.0.1:{gateway.Port}/healthz")).Trim());
    }

    [Fact]
    public async Task Plain_tcp_client_on_a_tls_port_is_dropped_and_counted()
    {
        using var certificate = TestCertificate.Create();
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            TestCertificate.WritePfx(certificate, Path.Combine(o.BaseDirectory, "gateway.pfx"), "pw");
            o.Tls.CertificatePath = "gateway.pfx";
            o.Tls.Password = "pw";
        });

        await using (var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port))
        {
            await raw.SendBytesAsync(System.Text.Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(gateway.Port)));
            Assert.True(await raw.ServerClosedTcpAsync());
        }

        using var client = await ConnectTrustingAsync(gateway.Port, certificate);
        Assert.Equal("still fine", await client.AskAsync("still fine"));
    }
}
