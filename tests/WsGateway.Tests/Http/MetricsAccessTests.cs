using System.Net;
using System.Text;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Tests.Http;

public sealed class MetricsAccessTests
{
    private const string Key = "0123456789abcdef-metrics";
    private static readonly IPEndPoint Loopback = new(IPAddress.Loopback, 50000);
    private static readonly IPEndPoint Elsewhere = new(IPAddress.Parse("192.0.2.7"), 50000);

    private static HttpRequestHead Request(string? authorization = null)
    {
        var head = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n" + (authorization is null ? "" : $"Authorization: {authorization}\r\n") + "\r\n";
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes(head), out var request, out var error), error);
        return request!;
    }

    [Fact]
    public void By_default_anyone_may_read_metrics()
    {
        Assert.Null(MetricsAccess.Check(Request(), Elsewhere, new MetricsOptions()));
    }

    [Fact]
    public void Loopback_only_refuses_other_addresses_with_403()
    {
        var options = new MetricsOptions { LoopbackOnly = true };
        Assert.Null(MetricsAccess.Check(Request(), Loopback, options));
        Assert.Equal(403, MetricsAccess.Check(Request(), Elsewhere, options)!.Status);
        Assert.Equal(403, MetricsAccess.Check(Request(), null, options)!.Status);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key-of-some-length")]
    [InlineData("Bearer 0123456789abcdef-metric")]
    [InlineData("Basic MDEyMzQ1Njc4OWFiY2RlZi1tZXRyaWNz")]
    public void An_api_key_is_wanted_once_configured(string? authorization)
    {
        var refusal = MetricsAccess.Check(Request(authorization), Loopback, new MetricsOptions { ApiKey = Key });
        Assert.Equal(401, refusal!.Status);
        Assert.DoesNotContain(Key, Encoding.UTF8.GetString(refusal.Body.Span));
    }

    [Fact]
    public void The_right_key_is_let_in()
    {
        Assert.Null(MetricsAccess.Check(Request($"Bearer {Key}"), Elsewhere, new MetricsOptions { ApiKey = Key }));
        Assert.Null(MetricsAccess.Check(Request($"bearer  {Key} "), Elsewhere, new MetricsOptions { ApiKey = Key }));
    }
}
