using System.Net;
using System.Net.Sockets;
using Serilog.Events;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>
/// <c>Limits:MaxPendingHandshakes</c>: sockets accepted whose handshake is not over count against it, and past it a new
/// socket is closed at once, before the gateway reads a byte of it.
/// </summary>
public sealed class PendingHandshakesTests
{
    private const string RefusedSeries = "wsgateway_handshake_failures_total{reason=\"pending_handshakes\"}";

    [Fact]
    public async Task Past_the_cap_a_new_socket_is_closed_at_once_and_once_the_handshakes_are_gone_connections_upgrade_again()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.MaxPendingHandshakes = 5;
            // The silent sockets must stay pending for the whole test, however slow the machine.
            o.Limits.HandshakeTimeoutSeconds = 2 * Eventually.Patience.TotalSeconds;
        });
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                silent.Add(await ConnectAsync(gateway.Port));
            }

            // Accepted after the five (the listen queue is first in, first out), while they still send nothing.
            Assert.True(await ClosedByGatewayAsync(gateway.Port), "the sixth socket was not closed");

            // Not /metrics: its request would be a sixth socket too. The warning counts the refusals it reports.
            Assert.True(await Eventually.TrueAsync(() => gateway.Logs.Events.Any(e => e.Level == LogEventLevel.Warning), Eventually.Patience));
            var warning = Assert.Single(gateway.Logs.Events, e => e.Level == LogEventLevel.Warning);
            Assert.Contains("Limits:MaxPendingHandshakes", warning.MessageTemplate.Text, StringComparison.Ordinal);
            Assert.Equal((1L, 5), (Property(warning, "Refused"), Property(warning, "MaxPendingHandshakes")));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }

        // The five are gone once the gateway has seen them close; then a connection upgrades as usual.
        var answer = await Eventually.ValueAsync(
            async () =>
            {
                try
                {
                    using var client = await gateway.ConnectAsync("/echo");
                    return await client.AskAsync("upgraded");
                }
                catch (Exception ex) when (ex is System.Net.WebSockets.WebSocketException or IOException)
                {
                    return null;
                }
            },
            a => a == "upgraded",
            Eventually.Patience);
        Assert.Equal("upgraded", answer);
    }

    [Fact]
    public async Task A_reloaded_cap_applies_to_the_next_socket_and_zero_is_no_cap()
    {
        await using var gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.MaxPendingHandshakes = 2;
            o.Limits.HandshakeTimeoutSeconds = 2 * Eventually.Patience.TotalSeconds;
        });
        var silent = new List<Socket>();
        try
        {
            for (int i = 0; i < 2; i++)
            {
                silent.Add(await ConnectAsync(gateway.Port));
            }

            Assert.True(await ClosedByGatewayAsync(gateway.Port), "the third socket was not closed");

            var current = gateway.Gateway.Options.Current;
            Assert.Empty(gateway.Gateway.Options.Reload(current with { Limits = current.Limits with { MaxPendingHandshakes = 0 } }));

            // The two silent sockets are still pending: with no cap, a client upgrades beside them.
            using var client = await gateway.ConnectAsync("/echo");
            Assert.Equal("no cap", await client.AskAsync("no cap"));
            Assert.Equal(1, Sample(await MetricsAsync(gateway), RefusedSeries));
        }
        finally
        {
            silent.ForEach(s => s.Dispose());
        }
    }

    private static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>
    /// Connects and sends nothing: true when the gateway ends the connection (a reset or an end of stream) before the
    /// patience runs out. The reset can come before the client has seen its own connect complete; that counts too.
    /// </summary>
    private static async Task<bool> ClosedByGatewayAsync(int port)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        try
        {
            using var socket = await ConnectAsync(port);
            return await socket.ReceiveAsync(new byte[1].AsMemory(), SocketFlags.None, timeout.Token) == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
