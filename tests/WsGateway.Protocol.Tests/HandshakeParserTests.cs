using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class HandshakeParserTests
{
    private static bool Parse(string head, out HttpRequestHead? request, out string? error) =>
        HandshakeParser.TryParse(Encoding.Latin1.GetBytes(head), out request, out error);

    private static HttpRequestHead ParseValid(string head)
    {
        Assert.True(Parse(head, out var request, out string? error), error);
        return request!;
    }

    [Fact]
    public void Request_line_and_headers_are_parsed_in_order()
    {
        var request = ParseValid("GET /chat?room=1&x=%20 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade:websocket\r\nX-Empty:\r\n\r\n");

        Assert.Equal("GET", request.Method);
        Assert.Equal("/chat?room=1&x=%20", request.Target);
        Assert.Equal("/chat", request.Path);
        Assert.Equal("?room=1&x=%20", request.Query);
        Assert.Equal("HTTP/1.1", request.Version);
        KeyValuePair<string, string>[] expected = [new("Host", "server.example.com"), new("Upgrade", "websocket"), new("X-Empty", "")];
        Assert.Equal(expected, request.Headers);
    }

    [Fact]
    public void Header_values_are_trimmed_of_optional_whitespace()
    {
        var request = ParseValid("GET / HTTP/1.1\r\nHost: a\r\nX-Padded: \t value with  inner spaces \t \r\n\r\n");

        Assert.Equal("value with  inner spaces", request.GetHeader("x-padded"));
    }

    [Theory]
    [InlineData("/", "/", "")]
    [InlineData("/a/b", "/a/b", "")]
    [InlineData("/a?", "/a", "?")]
    [InlineData("http://example.com/chat?x=1", "/chat", "?x=1")]
    [InlineData("HTTPS://example.com:8443", "/", "")]
    [InlineData("http://example.com?q", "/", "?q")]
    public void Origin_and_absolute_form_targets_split_into_path_and_query(string target, string path, string query)
    {
        var request = ParseValid($"GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n");

        Assert.Equal(target, request.Target);
        Assert.Equal(path, request.Path);
        Assert.Equal(query, request.Query);
    }

    [Fact]
    public void Asterisk_form_is_accepted_for_OPTIONS()
    {
        Assert.Equal("*", ParseValid("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").Path);
    }

    [Fact]
    public void Leading_empty_lines_before_the_request_line_are_ignored()
    {
        Assert.Equal("/", ParseValid("\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n").Path);
    }

    [Fact]
    public void Http_1_0_request_without_host_is_accepted()
    {
        Assert.Equal("HTTP/1.0", ParseValid("GET / HTTP/1.0\r\n\r\n").Version);
    }

    [Fact]
    public void Obs_text_in_values_is_read_as_latin1()
    {
        Assert.Equal("caf\u00e9", ParseValid("GET / HTTP/1.1\r\nHost: a\r\nX-Name: caf\u00e9\r\n\r\n").GetHeader("X-Name"));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n", "no blank line")]
    [InlineData("\r\n\r\n", "empty request line")]
    [InlineData("GET /\r\nHost: a\r\n\r\n", "missing version")]
    [InlineData("GET  / HTTP/1.1\r\nHost: a\r\n\r\n", "double space")]
    [InlineData("GET / HTTP/1.1 \r\nHost: a\r\n\r\n", "trailing space")]
    [InlineData(" GET / HTTP/1.1\r\nHost: a\r\n\r\n", "leading space")]
    [InlineData("G(T / HTTP/1.1\r\nHost: a\r\n\r\n", "method not a token")]
    [InlineData("GET / HTTP/1\r\nHost: a\r\n\r\n", "short version")]
    [InlineData("GET / http/1.1\r\nHost: a\r\n\r\n", "lower-case version")]
    [InlineData("GET / HTTP/2.0\r\nHost: a\r\n\r\n", "HTTP/2 request line")]
    [InlineData("GET chat HTTP/1.1\r\nHost: a\r\n\r\n", "relative target")]
    [InlineData("GET * HTTP/1.1\r\nHost: a\r\n\r\n", "asterisk for GET")]
    [InlineData("GET example.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", "authority form")]
    [InlineData("GET ftp://a/b HTTP/1.1\r\nHost: a\r\n\r\n", "other scheme")]
    [InlineData("GET /caf\u00e9 HTTP/1.1\r\nHost: a\r\n\r\n", "non-ASCII target")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", "header without colon")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Bad : v\r\n\r\n", "space before colon")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Bad\t: v\r\n\r\n", "tab before colon")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", "empty name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX Bad: v\r\n\r\n", "space in name")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Fold: a\r\n b\r\n\r\n", "obs-fold")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Ctl: a\u0001b\r\n\r\n", "control char")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Del: a\u007fb\r\n\r\n", "DEL")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Nul: a\0b\r\n\r\n", "NUL")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nX-Cr: a\rb\r\n\r\n", "bare CR")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\nX-Lf: b\r\n\r\n", "bare LF")]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "missing Host")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "two Host headers")]
    [InlineData("GET / HTTP/1.1\r\nHost: a\r\n\r\nextra", "bytes after the head")]
    public void Malformed_head_is_rejected_with_a_reason(string head, string why)
    {
        Assert.False(Parse(head, out var request, out string? error), why);

        Assert.Null(request);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
