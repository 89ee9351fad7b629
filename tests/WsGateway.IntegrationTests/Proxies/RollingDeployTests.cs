using System.Net;
using System.Text.RegularExpressions;
using WsGateway.IntegrationTests.Hostile;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// The README's rolling deploy behind its HAProxy configuration: one gateway is stopped as SIGTERM stops it (503 on
/// /readyz for the readiness grace while it still serves, then the drain); HAProxy's /readyz checks take it out, and
/// clients connecting all along never see a failed handshake. The grace ends when HAProxy has taken the gateway out,
/// as an operator's second signal ends it: how many seconds HAProxy's checks need depends on the machine, not on the
/// gateway.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class RollingDeployTests : IAsyncLifetime
{
    // Connections that must go through in each phase of the deploy: counted, not timed.
    private const int PerPhase = 10;
    private static readonly IPAddress Client = IPAddress.Parse("127.0.0.2");
    private ProxiedGateways? _gateways;
    private LoadBalancer? _haproxy;

    public async Task InitializeAsync()
    {
        _gateways = await ProxiedGateways.StartAsync(ReadmeProxySnippets.ForHaproxy);
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
        // One connection at a time, each closed before the next: once one has ended after an event, no connection
        // from before it is still on its way to a gateway.
        var clients = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (await ConnectOnceAsync(uri) is { } failure)
                {
                    failures.Add(failure);
                }

                Interlocked.Increment(ref attempts);
                await Task.Delay(50);
            }
        });
        int Attempts() => Volatile.Read(ref attempts);
        Task<bool> AttemptsReachAsync(int count) => Eventually.TrueAsync(() => Attempts() >= count, Eventually.Patience);

        try
        {
            Assert.True(await AttemptsReachAsync(PerPhase), $"{Attempts()} connections before the stop");
            // What SIGTERM does in the host: the readiness grace, then the listener closes and the drain runs. Here the
            // grace is only a hang guard: it ends, as a second signal ends it, once HAProxy has taken the gateway out.
            int outputBefore = _haproxy.Output.Length;
            leaving.Gateway.Options.Current.Shutdown.ReadinessGraceSeconds = 4 * Eventually.Patience.TotalSeconds;
            using var skipGrace = new CancellationTokenSource();
            var stopping = leaving.Gateway.StopAsync(skipGrace.Token);
            // The stop has read its grace; the fixture's own stop must not wait for another.
            leaving.Gateway.Options.Current.Shutdown.ReadinessGraceSeconds = 0;
            try
            {
                // The 503s on /readyz make HAProxy mark the gateway down, while it still serves whatever is sent to it.
                string? TakenOut() => DownLine(_haproxy.Output[outputBefore..], 0);
                Assert.True(await Eventually.TrueAsync(() => TakenOut() is not null, Eventually.Patience),
                    "HAProxy never took the stopping gateway out:\n" + _haproxy.Output);
                Assert.Contains("code: 503", TakenOut(), StringComparison.Ordinal);
                int atTakenOut = Attempts();
                Assert.True(await AttemptsReachAsync(atTakenOut + PerPhase), $"{Attempts() - atTakenOut} connections after HAProxy took it out");
            }
            finally
            {
                await skipGrace.CancelAsync();
                await stopping;
            }

            // After the leaving gateway has closed its listener, every new connection must reach the other one.
            int stayingBefore = Opened(staying);
            Assert.True(await Eventually.TrueAsync(() => Opened(staying) >= stayingBefore + PerPhase, Eventually.Patience), _haproxy.Output);
        }
        finally
        {
            await stop.CancelAsync();
            await clients;
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {attempts} handshakes failed during the deploy: {string.Join("; ", failures.Take(5))}\n{_haproxy.Output}");
    }

    /// <summary>HAProxy's line saying that the server of the README's gateway <paramref name="index"/> is down, or null.</summary>
    private static string? DownLine(string haproxyOutput, int index)
    {
        var server = Regex.Match(ReadmeProxySnippets.Haproxy, $@"server (\S+) 127\.0\.0\.1:{ReadmeProxySnippets.GatewayPorts[index]}\b").Groups[1].Value;
        Assert.NotEqual("", server);
        return haproxyOutput.Split('\n').FirstOrDefault(line => line.Contains($"/{server} is DOWN", StringComparison.Ordinal));
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
