using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;

namespace WsGateway.IntegrationTests.Host;

public sealed class HostTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-host-").FullName;

    public HostTests()
    {
        // The clients answer the 1001 of a shutdown when they get to it: neither the drain nor the close may give up
        // first (Eventually.Patience).
        File.WriteAllText(Path.Combine(_folder, "gateway.json"), """
            {
              "Listen": { "Address": "127.0.0.1", "Port": 12345 },
              "Plugins": { "Directory": "plugins" },
              "Scripts": { "Directory": "scripts" },
              "Limits": { "CloseTimeoutSeconds": 30 },
              "Shutdown": { "DrainSeconds": 30 }
            }
            """);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Host_reads_gateway_json_from_the_working_directory_and_port_0_picks_a_free_port()
    {
        await using var gateway = await GatewayProcess.StartAsync(_folder, "--port", "0");
        Assert.NotEqual(12345, gateway.Port);
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/echo"), CancellationToken.None);
        Assert.Equal("ping", await client.AskAsync("ping"));
    }

    [Fact]
    public async Task Sigterm_closes_every_connection_with_1001_and_exits_0()
    {
        await using var gateway = await GatewayProcess.StartAsync(_folder, "--port", "0");
        using var echo = new ClientWebSocket();
        using var commands = new ClientWebSocket();
        await echo.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/echo"), CancellationToken.None);
        await commands.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/"), CancellationToken.None);
        Assert.Contains("help", await commands.AskAsync("help"));

        gateway.Terminate();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await echo.ReceiveCloseAsync()).Status);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await commands.ReceiveCloseAsync()).Status);
        await echo.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await commands.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.Equal(0, await gateway.WaitForExitAsync(Eventually.Patience));
    }

    [Fact]
    public async Task During_the_readiness_grace_readyz_is_503_while_the_port_still_serves_then_connections_get_1001()
    {
        // A grace far longer than the test: it ends only when the second SIGTERM skips the rest of it.
        await using var gateway = await GatewayProcess.StartAsync(
            _folder, "--port", "0", "Shutdown:ReadinessGraceSeconds=600");
        using var http = new HttpClient();
        var readyz = new Uri($"http://127.0.0.1:{gateway.Port}/readyz");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(readyz)).StatusCode);
        using var before = new ClientWebSocket();
        await before.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/echo"), CancellationToken.None);

        gateway.Terminate();
        var draining = await Eventually.ValueAsync(
            async () => await http.GetAsync(readyz), r => r?.StatusCode == HttpStatusCode.ServiceUnavailable, Eventually.Patience);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, draining!.StatusCode);
        Assert.Equal("draining\n", await draining.Content.ReadAsStringAsync());

        // Still serving: health, open connections and new ones, which a load balancer may send until it sees the 503.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri($"http://127.0.0.1:{gateway.Port}/healthz"))).StatusCode);
        Assert.Equal("still here", await before.AskAsync("still here"));
        using var during = new ClientWebSocket();
        await during.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/echo"), CancellationToken.None);
        Assert.Equal("welcome", await during.AskAsync("welcome"));
        Assert.False(gateway.Process.HasExited);

        gateway.Terminate();
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await before.ReceiveCloseAsync(Eventually.Patience)).Status);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, (await during.ReceiveCloseAsync(Eventually.Patience)).Status);
        await before.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        await during.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        Assert.Equal(0, await gateway.WaitForExitAsync(Eventually.Patience));
        Assert.Contains(gateway.Output, line => line.Contains("/readyz answers 503 for 600 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_broken_scripts_calls_are_counted_as_broken_in_metrics_not_as_succeeded()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "scripts"));
        File.WriteAllText(Path.Combine(_folder, "scripts", "never.csx"), "this is not C#");
        await using var gateway = await GatewayProcess.StartAsync(_folder, "--port", "0");
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{gateway.Port}/"), CancellationToken.None);

        Assert.StartsWith("error: script command \"never\" is broken: ", await client.AskAsync("never"));
        Assert.Contains("help", await client.AskAsync("help"));

        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{gateway.Port}/metrics"));
        Assert.Contains("wsgateway_commands_total{command=\"never\",outcome=\"broken\"} 1\n", metrics);
        Assert.DoesNotContain("wsgateway_commands_total{command=\"never\",outcome=\"succeeded\"}", metrics);
        Assert.Contains("wsgateway_commands_total{command=\"help\",outcome=\"succeeded\"} 1\n", metrics);
    }

    [Fact]
    public async Task Port_in_use_is_a_configuration_error_found_before_plugins_and_scripts_load()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, output, errors) = await GatewayProcess.RunToExitWithStreamsAsync(_folder, "--port", port.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(2, exitCode);
        Assert.Equal($"wsgateway: cannot listen on 127.0.0.1:{port}: address already in use (another gateway? use --port)\n", errors);
        Assert.DoesNotContain("plugin", output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Script", output, StringComparison.Ordinal);
        // Either catalog creates its folder when it starts.
        Assert.False(Directory.Exists(Path.Combine(_folder, "plugins")), "the plugin catalog started");
        Assert.False(Directory.Exists(Path.Combine(_folder, "scripts")), "the script catalog started");
    }

    [Fact]
    public async Task Missing_configuration_file_is_a_clear_error_not_a_stack_trace()
    {
        var (exitCode, output) = await GatewayProcess.RunToExitAsync(_folder, "--config", "nope.json");
        Assert.NotEqual(0, exitCode);
        Assert.Contains("nope.json", output);
        Assert.DoesNotContain("   at ", output);
    }
}
