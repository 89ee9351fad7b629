using System.Net;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>Two test gateways with the same <c>Proxies</c> settings, and what each saw of its clients.</summary>
public sealed class ProxiedGateways : IAsyncDisposable
{
    private ProxiedGateways(TestGateway[] gateways) => All = gateways;

    public IReadOnlyList<TestGateway> All { get; }

    public int[] Ports => [.. All.Select(g => g.Port)];

    public static async Task<ProxiedGateways> StartAsync(ProxyOptions proxies, Action<GatewayOptions>? configure = null)
    {
        var gateways = new TestGateway[2];
        for (int i = 0; i < gateways.Length; i++)
        {
            gateways[i] = await TestGateway.StartAsync(options =>
            {
                options.Proxies = proxies;
                configure?.Invoke(options);
            });
        }

        return new ProxiedGateways(gateways);
    }

    /// <summary>The client addresses the gateways logged for the WebSocket connections they opened, in order.</summary>
    public IReadOnlyList<IPAddress> OpenedFrom() =>
        [.. All.SelectMany(g => OpenedFrom(g))];

    public static IEnumerable<IPAddress> OpenedFrom(TestGateway gateway) =>
        gateway.Logs.Events
            .Where(e => e.MessageTemplate.Text.StartsWith("Connection {SessionId} from {RemoteAddress} opened", StringComparison.Ordinal))
            .Select(e => IPEndPoint.Parse(e.Properties["RemoteAddress"].ToString().Trim('"')).Address);

    /// <summary>Waits until a gateway logged a connection opened from <paramref name="address"/>.</summary>
    public Task<bool> SawAsync(IPAddress address) =>
        Eventually.TrueAsync(() => OpenedFrom().Contains(address), Eventually.Patience);

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in All)
        {
            await gateway.DisposeAsync();
        }
    }
}
