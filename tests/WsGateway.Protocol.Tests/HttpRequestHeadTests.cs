using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class HttpRequestHeadTests
{
    private static HttpRequestHead Parse(string headers)
    {
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: a\r\n{headers}\r\n"), out var request, out string? error), error);
        return request;
    }

    [Fact]
    public void Header_lookup_ignores_case()
    {
        var request = Parse("sec-websocket-KEY: abc\r\n");

        Assert.Equal("abc", request.GetHeader("Sec-WebSocket-Key"));
        Assert.Null(request.GetHeader("Sec-WebSocket-Version"));
    }

    [Fact]
    public void Repeated_headers_are_joined_with_comma_space()
    {
        var request = Parse("Accept: a\r\nX-Other: z\r\naccept: b, c\r\n");

        Assert.Equal("a, b, c", request.GetHeader("Accept"));
        Assert.Equal(2, request.CountHeader("ACCEPT"));
    }

    [Theory]
    [InlineData("Connection: Upgrade\r\n")]
    [InlineData("Connection: upgrade\r\n")]
    [InlineData("Connection: keep-alive, Upgrade\r\n")]
    [InlineData("Connection: keep-alive,Upgrade , close\r\n")]
    [InlineData("Connection: keep-alive\r\nConnection: UPGRADE\r\n")]
    [InlineData("Connection: ,\t upgrade\t,\r\n")]
    public void Token_is_found_in_comma_separated_lists_ignoring_case_and_whitespace(string headers)
    {
        Assert.True(Parse(headers).HeaderContainsToken("connection", "Upgrade"));
    }

    [Theory]
    [InlineData("Connection: keep-alive\r\n")]
    [InlineData("Connection: Upgraded\r\n")]
    [InlineData("Connection: Up grade\r\n")]
    [InlineData("X-Connection: Upgrade\r\n")]
    [InlineData("")]
    public void Token_is_not_found_as_a_substring_or_in_another_header(string headers)
    {
        Assert.False(Parse(headers).HeaderContainsToken("Connection", "Upgrade"));
    }
}
