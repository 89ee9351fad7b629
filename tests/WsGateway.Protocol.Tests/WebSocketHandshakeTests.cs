using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class WebSocketHandshakeTests
{
    private const string SampleKey = "dGhlIHNhbXBsZSBub25jZQ==";

    private const string ValidHeaders =
        "Host: server.example.com\r\n" +
        "Upgrade: websocket\r\n" +
        "Connection: Upgrade\r\n" +
        "Sec-WebSocket-Key: " + SampleKey + "\r\n" +
        "Sec-WebSocket-Version: 13\r\n";

    private static HttpRequestHead Parse(string head)
    {
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes(head), out var request, out string? error), error);
        return request;
    }

    private static HandshakeValidation Validate(string headers, string requestLine = "GET /chat HTTP/1.1") =>
        WebSocketHandshake.Validate(Parse($"{requestLine}\r\n{headers}\r\n"));

    private static string Without(string headers, string name) =>
        string.Concat(headers.Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(line => line + "\r\n"));

    private static string Replace(string headers, string name, string value) => Without(headers, name) + $"{name}: {value}\r\n";

    [Fact]
    public void Rfc_sample_key_gives_the_rfc_accept_value()
    {
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.ComputeAccept(SampleKey));
    }

    [Fact]
    public void Rfc_sample_handshake_is_accepted()
    {
        // RFC 6455 1.2, with Origin and subprotocols.
        var result = Validate(ValidHeaders + "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n");

        Assert.Equal(new HandshakeValidation(HandshakeOutcome.Accept, null), result);
    }

    [Fact]
    public void Connection_keep_alive_upgrade_as_firefox_sends_it_is_accepted()
    {
        Assert.Equal(HandshakeOutcome.Accept, Validate(Replace(ValidHeaders, "Connection", "keep-alive, Upgrade")).Outcome);
    }

    [Fact]
    public void Header_names_and_tokens_are_case_insensitive()
    {
        const string headers =
            "HOST: a\r\nupgrade: WebSocket\r\nconnection: UPGRADE\r\nsec-websocket-key: " + SampleKey + "\r\nSEC-WEBSOCKET-VERSION: 13\r\n";

        Assert.Equal(HandshakeOutcome.Accept, Validate(headers).Outcome);
    }

    [Fact]
    public void Request_without_upgrade_is_plain_http()
    {
        var result = Validate("Host: a\r\nConnection: keep-alive\r\n");

        Assert.Equal(HandshakeOutcome.NotUpgrade, result.Outcome);
    }

    [Fact]
    public void Upgrade_to_another_protocol_is_plain_http()
    {
        // curl --http2 against http:// sends this; RFC 9110 7.8 lets the server ignore the upgrade.
        var result = Validate("Host: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n");

        Assert.Equal(HandshakeOutcome.NotUpgrade, result.Outcome);
    }

    [Fact]
    public void Upgrade_list_containing_websocket_is_a_handshake()
    {
        Assert.Equal(HandshakeOutcome.Accept, Validate(Replace(ValidHeaders, "Upgrade", "foo/2, websocket")).Outcome);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("get")]
    public void Non_GET_upgrade_is_method_not_allowed(string method)
    {
        Assert.Equal(HandshakeOutcome.MethodNotAllowed, Validate(ValidHeaders, $"{method} /chat HTTP/1.1").Outcome);
    }

    [Fact]
    public void Http_1_0_upgrade_is_a_bad_request()
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(ValidHeaders, "GET /chat HTTP/1.0").Outcome);
    }

    [Fact]
    public void Http_1_0_upgrade_without_host_is_a_bad_request()
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(Without(ValidHeaders, "Host"), "GET /chat HTTP/1.0").Outcome);
    }

    [Fact]
    public void Http_1_9_counts_as_1_1_or_later()
    {
        Assert.Equal(HandshakeOutcome.Accept, Validate(ValidHeaders, "GET /chat HTTP/1.9").Outcome);
    }

    [Theory]
    [InlineData("keep-alive")]
    [InlineData("Upgraded")]
    public void Connection_without_the_upgrade_token_is_a_bad_request(string connection)
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(Replace(ValidHeaders, "Connection", connection)).Outcome);
    }

    [Fact]
    public void Missing_connection_is_a_bad_request()
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(Without(ValidHeaders, "Connection")).Outcome);
    }

    [Fact]
    public void Draft_76_key1_and_key2_without_a_key_is_an_obsolete_draft()
    {
        string headers = Without(Without(ValidHeaders, "Sec-WebSocket-Key"), "Sec-WebSocket-Version")
            + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\nSec-WebSocket-Key2: 12998 5 Y3 1  .P00\r\n";

        Assert.Equal(HandshakeOutcome.ObsoleteDraft, Validate(headers).Outcome);
    }

    [Fact]
    public void Draft_76_headers_next_to_a_real_key_are_ignored()
    {
        Assert.Equal(HandshakeOutcome.Accept, Validate(ValidHeaders + "Sec-WebSocket-Key1: 4 @1  46546xW%0l 1 5\r\n").Outcome);
    }

    [Theory]
    [InlineData("8")]
    [InlineData("7")]
    [InlineData("14")]
    [InlineData("13, 8")]
    [InlineData("")]
    public void Other_version_requires_an_upgrade_to_13(string version)
    {
        Assert.Equal(HandshakeOutcome.UpgradeRequired, Validate(Replace(ValidHeaders, "Sec-WebSocket-Version", version)).Outcome);
    }

    [Fact]
    public void Missing_version_requires_an_upgrade_to_13()
    {
        Assert.Equal(HandshakeOutcome.UpgradeRequired, Validate(Without(ValidHeaders, "Sec-WebSocket-Version")).Outcome);
    }

    [Fact]
    public void Missing_key_is_a_bad_request()
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(Without(ValidHeaders, "Sec-WebSocket-Key")).Outcome);
    }

    [Theory]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ")]
    [InlineData("dGhlIHNhbXBsZSBub25jZQ=")]
    [InlineData("dGhlIHNhbXBsZSBub25jZXg=")]
    [InlineData("dGhlIHNhbXBsZSBub25jZXh4")]
    [InlineData("dGhlIHNhbXBsZSBub25j")]
    [InlineData("not base64 at all!!!!!!!")]
    [InlineData("")]
    public void Key_that_is_not_base64_of_16_bytes_is_a_bad_request(string key)
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(Replace(ValidHeaders, "Sec-WebSocket-Key", key)).Outcome);
    }

    [Fact]
    public void Two_key_headers_are_a_bad_request()
    {
        Assert.Equal(HandshakeOutcome.BadRequest, Validate(ValidHeaders + "Sec-WebSocket-Key: " + SampleKey + "\r\n").Outcome);
    }

    [Fact]
    public void Every_rejection_carries_a_reason()
    {
        var result = Validate(Without(ValidHeaders, "Sec-WebSocket-Key"));

        Assert.False(string.IsNullOrEmpty(result.Reason));
    }

    [Fact]
    public void Offered_subprotocols_are_listed_in_order_and_trimmed()
    {
        var request = Parse($"GET / HTTP/1.1\r\n{ValidHeaders}Sec-WebSocket-Protocol: chat ,  superchat\r\nsec-websocket-protocol: v2.json,,\r\n\r\n");

        Assert.Equal(["chat", "superchat", "v2.json"], WebSocketHandshake.GetOfferedSubprotocols(request));
    }

    [Fact]
    public void No_offered_subprotocols_is_an_empty_list()
    {
        Assert.Empty(WebSocketHandshake.GetOfferedSubprotocols(Parse($"GET / HTTP/1.1\r\n{ValidHeaders}\r\n")));
    }

    [Fact]
    public void Head_found_across_segments_parses_and_validates()
    {
        byte[] bytes = Encoding.ASCII.GetBytes($"GET /chat HTTP/1.1\r\n{ValidHeaders}\r\n");
        var sequence = Sequences.FromChunks(bytes[..10], bytes[10..50], bytes[50..]);

        Assert.Equal(HeadReadStatus.Complete, RequestHeadReader.TryFindHead(sequence, 4096, out int headLength));
        Assert.True(HandshakeParser.TryParse(System.Buffers.BuffersExtensions.ToArray(sequence.Slice(0, headLength)), out var request, out _));

        Assert.Equal(HandshakeOutcome.Accept, WebSocketHandshake.Validate(request).Outcome);
    }
}
