
namespace WsGateway.Tests.Authentication;

public sealed class UpgradeRequestTests
{
    [Fact]
    public void Method_path_headers_and_remote_end_point_are_the_request_s()
    {
        var request = Requests.Seen(Requests.Upgrade("/chat?room=1", "X-Trace: a", "x-trace: b"));
        Assert.Equal("GET", request.Method);
        Assert.Equal("/chat", request.Path);
        Assert.Same(Requests.Remote, request.RemoteEndPoint);
        Assert.Equal("a, b", request.GetHeader("X-TRACE"));
        Assert.Null(request.GetHeader("Authorization"));
        Assert.Equal(["Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "X-Trace", "x-trace"], request.Headers.Select(h => h.Key));
    }

    [Fact]
    public void The_query_is_percent_and_plus_decoded_and_a_repeated_name_keeps_its_first_value()
    {
        var query = Requests.Seen(Requests.Upgrade("/?a=1&b=x+y%21&a=2&flag&%6E=%3D")).Query;
        Assert.Equal("1", query["a"]);
        Assert.Equal("x y!", query["b"]);
        Assert.Equal("", query["flag"]);
        Assert.Equal("=", query["n"]);
        Assert.Equal(4, query.Count);
        Assert.Empty(Requests.Seen(Requests.Upgrade("/")).Query);
    }

    [Fact]
    public void Cookies_come_from_every_cookie_line_and_a_repeated_name_keeps_its_first_value()
    {
        var cookies = Requests.Seen(Requests.Upgrade("/", "Cookie: session=abc; theme=\"dark\"", "Cookie: session=later; lang=en")).Cookies;
        Assert.Equal("abc", cookies["session"]);
        Assert.Equal("dark", cookies["theme"]);
        Assert.Equal("en", cookies["lang"]);
        Assert.Equal(3, cookies.Count);
    }
}
