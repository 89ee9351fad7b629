using System.Net;

namespace WsGateway.IntegrationTests.Api;

/// <summary><c>Api:RequestsPerSecond</c> and <c>Api:Burst</c>: one bucket per API key.</summary>
public sealed class ApiRateLimitTests
{
    [Fact]
    public async Task A_key_over_its_burst_gets_429_with_retry_after_while_another_key_goes_on()
    {
        // A refill of one request per 1000 s: after the burst of 2, nothing this test does can be allowed by time.
        await using var api = await ApiGateway.StartAsync(o => (o.Api.RequestsPerSecond, o.Api.Burst) = (0.001, 2));

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/nodes")).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/nodes")).Status);
        var limited = await api.GetAsync("/api/v1/nodes");

        Assert.Equal((HttpStatusCode.TooManyRequests, "rate-limited"), (limited.Status, limited.ProblemName));
        Assert.Equal("1000", limited.Header("Retry-After"));
        var other = await api.PostAsync("/api/v1/publish", """{"everyone":true,"text":"hi"}""", ApiGateway.PublisherKey);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }
}
