using System.Globalization;
using System.Net.WebSockets;
using Serilog;
using Serilog.Events;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>A real gateway on 127.0.0.1 and a free port, with its own temporary plugin and script folders.</summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(Gateway gateway, GatewayOptions options, LogCollector logs, string root)
    {
        Gateway = gateway;
        Options = options;
        Logs = logs;
        Root = root;
    }

    public Gateway Gateway { get; }
    public GatewayOptions Options { get; }
    public LogCollector Logs { get; }

    /// <summary>A temporary folder that holds this gateway's plugins/ and scripts/ and is deleted with it.</summary>
    public string Root { get; }

    public int Port => Gateway.EndPoint.Port;
    public Uri WebSocketUri(string path = "/") => new($"ws://127.0.0.1:{Port}{path}");
    public Uri HttpUri(string path = "/") => new($"http://127.0.0.1:{Port}{path}");

    public static async Task<TestGateway> StartAsync(Action<GatewayOptions>? configure = null)
    {
        var root = Directory.CreateTempSubdirectory("wsgateway-test-").FullName;
        var options = new GatewayOptions { BaseDirectory = root };
        options.Listen.Port = 0;
        options.Plugins.Directory = "plugins";
        options.Scripts.Directory = "scripts";
        options.Shutdown.DrainSeconds = 2;
        Directory.CreateDirectory(Path.Combine(root, "plugins"));
        Directory.CreateDirectory(Path.Combine(root, "scripts"));
        configure?.Invoke(options);

        var logs = new LogCollector();
        var logger = new LoggerConfiguration().MinimumLevel.Debug().WriteTo.Sink(logs).CreateLogger();
        var gateway = new Gateway(options, logger);
        await gateway.StartAsync();
        return new TestGateway(gateway, options, logs, root);
    }

    public async Task<ClientWebSocket> ConnectAsync(string path = "/", Action<ClientWebSocketOptions>? configure = null)
    {
        var client = new ClientWebSocket();
        configure?.Invoke(client.Options);
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await client.ConnectAsync(WebSocketUri(path), timeout.Token);
        return client;
    }

    /// <summary>The value of the unlabelled metric <paramref name="name"/> on this gateway's <c>/metrics</c>.</summary>
    public async Task<double> MetricAsync(string name)
    {
        using var http = new HttpClient { Timeout = Eventually.Patience };
        var metrics = await http.GetStringAsync(HttpUri("/metrics"));
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        await Gateway.StopAsync();
        await Gateway.DisposeAsync();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A plugin file still mapped on some platforms; the temp folder is cleaned by the OS.
        }
    }
}
