using System.Text;
using WsGateway.Http;
using WsGateway.Protocol;

namespace WsGateway.Tests.Http;

public sealed class StaticAssetsResponseTests
{
    private static readonly StaticAssets Assets = StaticAssets.LoadEmbedded();

    [Fact]
    public void Root_answers_the_page_with_etag_cache_control_and_content_security_policy()
    {
        var response = Assets.Respond(Request("GET / HTTP/1.1"));

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.Equal("text/html; charset=utf-8", response.ContentType);
        Assert.True(Assets.TryGet("/index.html", out var page));
        Assert.Equal(page.Body, response.Body.ToArray());
        Assert.Contains(new("ETag", page.ETag), response.Headers!);
        Assert.Contains(new("Cache-Control", "no-cache"), response.Headers!);
        Assert.Contains(new("Content-Security-Policy", StaticAssets.ContentSecurityPolicy), response.Headers!);
    }

    [Fact]
    public void Request_with_the_current_etag_is_answered_not_modified_without_a_body()
    {
        Assert.True(Assets.TryGet("/console.js", out var script));

        var response = Assets.Respond(Request("GET /console.js HTTP/1.1", $"If-None-Match: {script.ETag}"));

        Assert.NotNull(response);
        Assert.Equal(304, response.Status);
        Assert.True(response.Body.IsEmpty);
        Assert.Contains(new("ETag", script.ETag), response.Headers!);
    }

    [Fact]
    public void Request_with_a_stale_etag_gets_the_body()
    {
        var response = Assets.Respond(Request("GET /console.css HTTP/1.1", "If-None-Match: \"stale\""));

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.False(response.Body.IsEmpty);
    }

    [Fact]
    public void Path_without_an_asset_is_left_to_the_router()
    {
        Assert.Null(Assets.Respond(Request("GET /nothing-here HTTP/1.1")));
    }

    private static HttpRequestHead Request(string requestLine, params string[] headers)
    {
        var head = new StringBuilder(requestLine).Append("\r\nHost: localhost\r\n");
        foreach (var header in headers)
        {
            head.Append(header).Append("\r\n");
        }

        head.Append("\r\n");
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes(head.ToString()), out var request, out var error), error);
        return request;
    }
}
