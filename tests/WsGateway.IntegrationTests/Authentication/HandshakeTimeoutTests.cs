using System.Net.Sockets;
using Serilog.Events;
using WsGateway.Contracts;
using WsGateway.Http;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>
/// <c>Limits:HandshakeTimeoutSeconds</c> bounds the whole handshake: reading the request, authenticating it and
/// sending the answer.
/// </summary>
public sealed class HandshakeTimeoutTests
{
    private const string TimeoutSeries = "wsgateway_handshake_failures_total{reason=\"timeout\"}";

    /// <summary>A plugin authenticator that never answers and ignores its cancellation token.</summary>
    private sealed class HangingAuthenticator : IAuthenticator
    {
        private int _calls;

        public string Name => "hang";

        public int Calls => Volatile.Read(ref _calls);

        public ValueTask<AuthenticationResult> AuthenticateAsync(IUpgradeRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return new ValueTask<AuthenticationResult>(new TaskCompletionSource<AuthenticationResult>().Task);
        }
    }

    [Fact]
    public async Task An_authenticator_that_never_answers_gets_the_upgrade_a_503_at_the_handshake_timeout()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.HandshakeTimeoutSeconds = 1;
            o.Authentication.Methods = ["plugin:hang"];
        });
        var hanging = new HangingAuthenticator();
        gateway.Gateway.Authenticators.SetSource("plugin:test", [hanging]);

        var answer = await RefusedUpgradeAsync(gateway);

        Assert.Equal(1, hanging.Calls);
        Assert.StartsWith("HTTP/1.1 503", answer.Head);
        Assert.NotNull(answer.Header("Retry-After"));
        Assert.Equal("Cannot authenticate: authentication did not finish within the handshake timeout.\n", answer.Body);
        Assert.Equal(1, Sample(await MetricsAsync(gateway), TimeoutSeries));
        var logged = Assert.Single(gateway.Logs.Events, e => e.Level == LogEventLevel.Warning);
        Assert.Contains("{RemoteAddress}", logged.MessageTemplate.Text, StringComparison.Ordinal);
        Assert.Equal("/", Property(logged, "Path"));
        Assert.Equal(0, gateway.Gateway.ConnectionCount);
    }

    [Fact]
    public async Task A_client_that_does_not_read_its_answer_is_dropped_at_the_handshake_timeout()
    {
        const int Size = 16 * 1024 * 1024;
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.HandshakeTimeoutSeconds = 1);
        // Far more than the socket buffers on both sides hold, so sending it waits for the client to read.
        gateway.Gateway.Http.Map("/big", _ => new HttpResponse(200, "application/octet-stream", new byte[Size]));

        using var client = new TcpClient { ReceiveBufferSize = 4096 };
        await client.ConnectAsync("127.0.0.1", gateway.Port);
        await client.GetStream().WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /big HTTP/1.1\r\nHost: 127.0.0.1:{gateway.Port}\r\n\r\n"));

        // The client reads nothing; the gateway stops waiting for it at the handshake timeout, counted as one.
        var timeouts = await Eventually.ValueAsync(async () => Sample(await MetricsAsync(gateway), TimeoutSeries), n => n >= 1, Eventually.Patience);
        Assert.Equal(1, timeouts);

        // Then drops the connection: still reading nothing, the client finds it reset when it writes.
        Assert.True(await Eventually.TrueAsync(Reset, Eventually.Patience), "the gateway still holds the connection");

        bool Reset()
        {
            try
            {
                client.Client.Send([0]);
                return false;
            }
            catch (SocketException)
            {
                return true;
            }
        }
    }
}
