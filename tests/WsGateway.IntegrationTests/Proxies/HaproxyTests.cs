using System.Net;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// Debian's HAProxy with the README's configuration in front of two gateways: with <c>send-proxy-v2</c> (and the
/// README's <c>ProxyProtocol</c> settings) and, without it, with <c>option forwardfor</c> alone; either way the
/// upgrade passes through (after /readyz health checks, sent with a PROXY header too) and the gateways see the client's address.
/// </summary>
public sealed class HaproxyTests : IAsyncLifetime
{
    private static readonly IPAddress Alice = IPAddress.Parse("127.0.0.2");
    private ProxiedGateways? _gateways;
    private LoadBalancer? _haproxy;

    public Task InitializeAsync() => Task.CompletedTask;

    // IAsyncLifetime, not IAsyncDisposable: xunit 2 does not dispose test classes asynchronously, and the HAProxy
    // processes would outlive the test.
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
    public async Task With_send_proxy_v2_the_gateway_sees_the_clients_address()
    {
        Assert.True(ReadmeProxySnippets.ForHaproxy.ProxyProtocol);
        Assert.Contains("send-proxy-v2", ReadmeProxySnippets.Haproxy, StringComparison.Ordinal);

        await StartAsync(ReadmeProxySnippets.ForHaproxy, ReadmeProxySnippets.Haproxy);

        await AssertSeenAsAliceOnBothGatewaysAsync();
    }

    [Fact]
    public async Task Without_send_proxy_option_forwardfor_gives_the_clients_address()
    {
        var snippet = ReadmeProxySnippets.Haproxy.Replace(" send-proxy-v2 check-send-proxy", "", StringComparison.Ordinal);
        Assert.DoesNotContain("send-proxy", snippet, StringComparison.Ordinal);

        await StartAsync(ReadmeProxySnippets.ForNginx, snippet);

        await AssertSeenAsAliceOnBothGatewaysAsync();
    }

    private string Logs() => string.Join("\n", _gateways!.All.SelectMany(g => g.Logs.Messages()));

    private async Task StartAsync(ProxyOptions proxies, string snippet)
    {
        _gateways = await ProxiedGateways.StartAsync(proxies);
        _haproxy = await LoadBalancer.StartHaproxyAsync(snippet, _gateways.Ports);
    }

    /// <summary>Two connections, each echoing and each seen from 127.0.0.2 by whichever gateway HAProxy chose.</summary>
    private async Task AssertSeenAsAliceOnBothGatewaysAsync()
    {
        var uri = new Uri($"ws://127.0.0.1:{_haproxy!.Port}/echo");
        var (first, firstStatus) = await ClientFrom.TryConnectAsync(Alice, uri);
        await using var _ = first;
        Assert.True(first is not null, $"refused with {firstStatus}; HAProxy said:\n{_haproxy.Output}\ngateways:\n{Logs()}");
        var (second, secondStatus) = await ClientFrom.TryConnectAsync(Alice, uri);
        await using var __ = second;
        Assert.True(second is not null, $"refused with {secondStatus}; HAProxy said:\n{_haproxy.Output}\ngateways:\n{Logs()}");

        Assert.Equal("one", await first.RoundTripAsync("one"));
        Assert.Equal("two", await second.RoundTripAsync("two"));
        Assert.True(await Eventually.TrueAsync(() => _gateways!.OpenedFrom().Count >= 2, Eventually.Patience), _haproxy.Output);
        Assert.All(_gateways!.OpenedFrom(), address => Assert.Equal(Alice, address));
    }
}
