using System.Net;
using WsGateway.IntegrationTests.Hostile;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// The README's rolling deploy behind its HAProxy configuration: one gateway is stopped as SIGTERM stops it (503 on
/// /readyz for the readiness grace while it still serves, then the drain); HAProxy's /readyz checks take it out, and
/// clients connecting all along never see a failed handshake.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class RollingDeployTests : IAsyncLifetime
{
    // Longer than HAProxy needs to see three failed checks two seconds apart (its defaults), on a busy machine too.
    private const double ReadinessGraceSeconds = 10;
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.2");
    private ProxiedGateways? _gateways;
    private LoadBalancer? _haproxy;

    public async Task InitializeAsync()
    {
        _gateways = await ProxiedGateways.StartAsync(
            ReadmeProxySnippets.ForHaproxy, options => options.Shutdown.ReadinessGraceSeconds = ReadinessGraceSeconds);
        _haproxy = await LoadBalancer.StartHaproxyAsync(ReadmeProxySnippets.Haproxy, _gateways.Ports);
    }

    public async Task DisposeAsync()
    {
        if (_haproxy is not null)
        {
            await _haproxy.DisposeAsync();
        }

        if (_gateways is not null)
        {
            await _gateways.DisposeAsync();
        }
    }

    [Fact]
    public async Task Stopping_one_gateway_moves_new_connections_to_the_other_without_a_failed_handshake()
    {
        var uri = new Uri($"ws://127.0.0.1:{_haproxy!.Port}/echo");
        var (leaving, staying) = (_gateways!.All[0], _gateways.All[1]);
        // Both gateways serve before the deploy starts (HAProxy found both healthy and balances over them).
        var deadline = DateTime.UtcNow + Eventually.Patience;
        while (Opened(leaving) == 0 || Opened(staying) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "HAProxy never used both gateways:\n" + _haproxy.Output);
            await ConnectOnceAsync(uri);
            await Task.Delay(100);
        }

        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        int attempts = 0;
        var clients = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                attempts++;
                if (await ConnectOnceAsync(uri) is { } failure)
                {
                    failures.Add(failure);
                }

                await Task.Delay(50);
            }
        });

        // What SIGTERM does in the host: the readiness grace, then the listener closes and the drain runs.
        await leaving.Gateway.StopAsync();
        int stayingBefore = Opened(staying);
        // After the leaving gateway has closed its listener, every new connection must reach the other one.
        Assert.True(await Eventually.TrueAsync(() => Opened(staying) >= stayingBefore + 10, Eventually.Patience), _haproxy.Output);
        stop.Cancel();
        await clients;

        Assert.True(failures.Count == 0, $"{failures.Count} of {attempts} handshakes failed during the deploy: {string.Join("; ", failures.Take(5))}\n{_haproxy.Output}");
        Assert.True(attempts > 50, $"only {attempts} connections were tried");
        // Its shutdown is done; the fixture's own stop must not wait for another grace.
        leaving.Gateway.Options.Current.Shutdown.ReadinessGraceSeconds = 0;
    }

    private static int Opened(TestGateway gateway) => ProxiedGateways.OpenedFrom(gateway).Count();

    /// <returns>Null when a connection through HAProxy upgraded and echoed; otherwise what went wrong.</returns>
    private static async Task<string?> ConnectOnceAsync(Uri uri)
    {
        try
        {
            var (client, status) = await ClientFrom.TryConnectAsync(Client, uri);
            if (client is null)
            {
                return $"refused with {(int)status}";
            }

            await using (client)
            {
                return await client.RoundTripAsync("ping") == "ping" ? null : "wrong echo";
            }
        }
        catch (Exception ex)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }
}
