using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class RequestBodyFramingTests
{
    private static HttpRequestHead Parse(string headers)
    {
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes($"POST /api HTTP/1.1\r\nHost: a\r\n{headers}\r\n"), out var request, out string? error), error);
        return request;
    }

    [Theory]
    [InlineData("")]
    [InlineData("Content-Length: 0\r\n")]
    public void No_length_or_zero_is_no_body(string headers)
    {
        Assert.Equal(BodyFraming.None, RequestBodyFraming.Frame(Parse(headers), 100, out long length));
        Assert.Equal(0, length);
    }

    [Theory]
    [InlineData("Content-Length: 42\r\n", 42)]
    [InlineData("Content-Length: 100\r\n", 100)]
    [InlineData("Content-Length: 7\r\ncontent-length: 7\r\n", 7)]
    [InlineData("Content-Length: 7, 7\r\n", 7)]
    public void A_length_within_the_limit_is_read(string headers, long expected)
    {
        Assert.Equal(BodyFraming.ContentLength, RequestBodyFraming.Frame(Parse(headers), 100, out long length));
        Assert.Equal(expected, length);
    }

    [Theory]
    [InlineData("Content-Length: 101\r\n", 101)]
    [InlineData("Content-Length: 999999999999999999\r\n", 999999999999999999)]
    public void A_length_over_the_limit_is_too_large(string headers, long expected)
    {
        Assert.Equal(BodyFraming.TooLarge, RequestBodyFraming.Frame(Parse(headers), 100, out long length));
        Assert.Equal(expected, length);
    }

    [Theory]
    [InlineData("Content-Length: -1\r\n")]
    [InlineData("Content-Length: +5\r\n")]
    [InlineData("Content-Length: 5 5\r\n")]
    [InlineData("Content-Length: 0x10\r\n")]
    [InlineData("Content-Length: \r\n")]
    [InlineData("Content-Length: 5\r\nContent-Length: 6\r\n")]
    [InlineData("Content-Length: 5, 6\r\n")]
    [InlineData("Content-Length: 9999999999999999999\r\n")]
    public void A_length_that_is_not_one_number_is_invalid(string headers)
    {
        Assert.Equal(BodyFraming.InvalidLength, RequestBodyFraming.Frame(Parse(headers), 100, out _));
    }

    [Theory]
    [InlineData("Transfer-Encoding: chunked\r\n")]
    [InlineData("Transfer-Encoding: gzip, chunked\r\n")]
    [InlineData("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n")]
    public void Any_transfer_encoding_is_refused_before_the_length(string headers)
    {
        Assert.Equal(BodyFraming.TransferEncoding, RequestBodyFraming.Frame(Parse(headers), 100, out _));
    }
}
