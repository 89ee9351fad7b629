using System.Net;

namespace WsGateway.IntegrationTests.Operations;

public sealed class HealthAndMetricsTests
{
    private static double Sample(string metrics, string name)
    {
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Healthz_and_readyz_answer_200_while_serving()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.HttpUri("/healthz"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.HttpUri("/readyz"))).StatusCode);
    }

    [Fact]
    public async Task Metrics_counters_move_while_a_client_sends_messages()
    {
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient();
        var before = await http.GetStringAsync(gateway.HttpUri("/metrics"));

        using (var client = await gateway.ConnectAsync())
        {
            Assert.Contains("help", await client.AskAsync("help"));
            Assert.StartsWith("error:", await client.AskAsync("nope"));
            var during = await http.GetStringAsync(gateway.HttpUri("/metrics"));
            Assert.Equal(1, Sample(during, "wsgateway_connections_open"));
        }

        await using (var raw = await RawWebSocketClient.ConnectRawAsync(gateway.Port))
        {
            Assert.StartsWith("HTTP/1.1 426", await raw.SendRequestAsync(
                RawWebSocketClient.UpgradeRequest(gateway.Port).Replace("Version: 13", "Version: 8", StringComparison.Ordinal)));
        }

        var after = await http.GetStringAsync(gateway.HttpUri("/metrics"));
        Assert.Equal(0, Sample(before, "wsgateway_messages_received_total"));
        Assert.Equal(2, Sample(after, "wsgateway_messages_received_total"));
        Assert.Equal(2, Sample(after, "wsgateway_messages_sent_total"));
        Assert.True(Sample(after, "wsgateway_received_bytes_total") >= "helpnope".Length);
        Assert.Equal(1, Sample(after, "wsgateway_connections_total"));
        Assert.Equal(1, Sample(after, "wsgateway_unknown_commands_total"));
        Assert.Contains("wsgateway_commands_total{command=\"help\",outcome=\"succeeded\"} 1", after);
        Assert.Contains("wsgateway_handshake_failures_total{reason=\"version\"} 1", after);
    }

    [Fact]
    public async Task Metrics_with_an_api_key_want_it_and_a_reload_can_add_one()
    {
        const string Key = "a-metrics-key-of-32-characters!!";
        await using var gateway = await TestGateway.StartAsync();
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.HttpUri("/metrics"))).StatusCode);

        var reloaded = gateway.Options;
        reloaded.Metrics.ApiKey = Key;
        gateway.Gateway.Options.Reload(reloaded);

        var refused = await http.GetAsync(gateway.HttpUri("/metrics"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", refused.Headers.WwwAuthenticate.Single().Scheme);
        using var request = new HttpRequestMessage(HttpMethod.Get, gateway.HttpUri("/metrics"));
        request.Headers.Authorization = new("Bearer", Key);
        var allowed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("wsgateway_connections_open", await allowed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.HttpUri("/healthz"))).StatusCode);
    }

    [Fact]
    public async Task Readyz_is_503_while_draining()
    {
        // The client answers the gateway's close when it gets to it: neither the drain nor the close may give up first.
        var gateway = await TestGateway.StartAsync(o =>
        {
            o.Shutdown.DrainSeconds = Eventually.Patience.TotalSeconds;
            o.Limits.CloseTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        using var client = await gateway.ConnectAsync("/echo");
        var readyz = gateway.HttpUri("/readyz");
        var stopping = gateway.Gateway.StopAsync();
        using var http = new HttpClient();
        // The listener closes as the drain starts, so a probe either sees 503 or cannot connect: never "ready".
        try
        {
            var response = await http.GetAsync(readyz);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }
        catch (HttpRequestException)
        {
            // Connection refused: the listener is already closed, which a load balancer reads as not ready too.
        }

        Assert.False(gateway.Gateway.Ready);
        await client.ReceiveCloseAsync();
        await client.CloseOutputAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await stopping;
        await gateway.DisposeAsync();
    }
}
