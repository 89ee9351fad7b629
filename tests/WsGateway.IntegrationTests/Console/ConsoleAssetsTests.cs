using System.Net;
using System.Net.Http.Headers;
using WsGateway.Http;

namespace WsGateway.IntegrationTests.Console;

/// <summary>The console's files over the gateway's own HTTP, as a browser fetches them.</summary>
public sealed class ConsoleAssetsTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;
    private readonly HttpClient _http = new();

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _gateway.DisposeAsync();
    }

    [Fact]
    public async Task Root_serves_the_console_page_with_its_content_security_policy()
    {
        using var response = await _http.GetAsync(_gateway.HttpUri());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(StaticAssets.ContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Contains("<script type=\"module\" src=\"console.js\"></script>", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("console.js", "text/javascript; charset=utf-8")]
    [InlineData("console.css", "text/css; charset=utf-8")]
    [InlineData("favicon.svg", "image/svg+xml")]
    public async Task Assets_are_served_with_their_content_type(string path, string contentType)
    {
        using var response = await _http.GetAsync(_gateway.HttpUri("/" + path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.ToString());
    }

    [Fact]
    public async Task Revalidation_with_the_current_etag_is_answered_not_modified()
    {
        using var first = await _http.GetAsync(_gateway.HttpUri("/console.js"));
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.HttpUri("/console.js"));
        request.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        using var second = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Empty(await second.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Unknown_path_is_not_found()
    {
        using var response = await _http.GetAsync(_gateway.HttpUri("/nothing-here.js"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
