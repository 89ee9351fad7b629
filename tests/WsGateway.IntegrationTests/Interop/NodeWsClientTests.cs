using System.Text.Json;

namespace WsGateway.IntegrationTests.Interop;

/// <summary>The npm package <c>ws</c>, a widely used third-party client, against the echo and command routes.</summary>
public sealed class NodeWsClientTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    // ws compresses what it sends, and random bytes do not compress: the 1 MiB message is a little more than 1 MiB on
    // the wire, which the limit counts too, so the 1 MiB default would refuse it.
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 2 * 1024 * 1024);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task<JsonElement> Run(string path, string scenario)
    {
        var result = await NodeWsClient.RunAsync(_gateway.WebSocketUri(path), scenario);
        // ws offers permessage-deflate by default, and the gateway accepts it by default.
        Assert.StartsWith("permessage-deflate", result.GetProperty("extensions").GetString());
        return result;
    }

    [Theory]
    [InlineData("""{"clientNoContextTakeover":true,"threshold":0}""", "client_no_context_takeover")]
    [InlineData("""{"threshold":0}""", "client_no_context_takeover")]
    [InlineData("""{"clientMaxWindowBits":9,"threshold":0}""", "client_max_window_bits=9")]
    [InlineData("""{"serverNoContextTakeover":true,"clientMaxWindowBits":true,"threshold":0}""", "server_no_context_takeover")]
    public async Task Compressed_messages_round_trip_in_every_mode_the_client_offers(string options, string agreed)
    {
        var result = await NodeWsClient.RunAsync(_gateway.WebSocketUri("/echo"), "compressed", options);

        Assert.Contains(agreed, result.GetProperty("extensionsHeader").GetString());
        Assert.True(result.GetProperty("allEchoed").GetBoolean(), result.ToString());
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task With_client_context_takeover_allowed_the_gateway_keeps_the_clients_context()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Compression.ClientContextTakeover = true);
        var result = await NodeWsClient.RunAsync(gateway.WebSocketUri("/echo"), "compressed", """{"threshold":0}""");

        Assert.Equal("permessage-deflate; server_no_context_takeover", result.GetProperty("extensionsHeader").GetString());
        Assert.True(result.GetProperty("allEchoed").GetBoolean(), result.ToString());
    }

    [Fact]
    public async Task A_client_that_does_not_offer_compression_gets_none()
    {
        var result = await NodeWsClient.RunAsync(_gateway.WebSocketUri("/echo"), "text", "false");
        Assert.Equal("", result.GetProperty("extensions").GetString());
        Assert.Equal(result.GetProperty("sent").GetString(), result.GetProperty("received").GetString());
    }

    private static void AssertClosedNormally(JsonElement result) =>
        Assert.Equal(1000, result.GetProperty("finalCloseCode").GetInt32());

    [Fact]
    public async Task Text_is_echoed()
    {
        var result = await Run("/echo", "text");
        Assert.Equal(result.GetProperty("sent").GetString(), result.GetProperty("received").GetString());
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task Binary_is_echoed()
    {
        var result = await Run("/echo", "binary");
        AssertSameBinary(result, 3000);
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task One_mebibyte_message_is_echoed()
    {
        var result = await Run("/echo", "large");
        AssertSameBinary(result, 1024 * 1024);
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task Message_sent_in_fragments_is_echoed_whole()
    {
        var result = await Run("/echo", "fragmented");
        Assert.Equal("fragmented ✓", result.GetProperty("received").GetString());
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task Ping_is_answered_by_a_pong_with_the_same_payload()
    {
        var result = await Run("/echo", "ping");
        Assert.Equal(result.GetProperty("sent").GetString(), result.GetProperty("pong").GetString());
        AssertClosedNormally(result);
    }

    [Fact]
    public async Task Close_with_4000_is_answered_with_4000()
    {
        var result = await Run("/echo", "close");
        Assert.Equal(4000, result.GetProperty("closeCode").GetInt32());
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }

    [Fact]
    public async Task Commands_help_unknown_and_envelopes_work_on_the_command_route()
    {
        var result = await Run("/", "commands");
        var help = result.GetProperty("help").GetString()!;
        Assert.StartsWith("Commands", help);
        Assert.Contains("help", help);
        Assert.Equal("error: unknown command \"nosuch\"; send \"help\" to list commands", result.GetProperty("unknown").GetString());

        var envelope = result.GetProperty("envelope");
        Assert.Equal("7", envelope.GetProperty("id").GetString());
        Assert.True(envelope.GetProperty("ok").GetBoolean());
        Assert.Contains("help", envelope.GetProperty("text").GetString());

        // A JSON number id comes back as the same number.
        var unknown = result.GetProperty("unknownEnvelope");
        Assert.Equal(8, unknown.GetProperty("id").GetInt32());
        Assert.False(unknown.GetProperty("ok").GetBoolean());
        Assert.Equal("unknown command \"nosuch\"; send \"help\" to list commands", unknown.GetProperty("error").GetString());
        AssertClosedNormally(result);
    }

    private static void AssertSameBinary(JsonElement result, int length)
    {
        Assert.True(result.GetProperty("isBinary").GetBoolean());
        Assert.Equal(length, result.GetProperty("sentLength").GetInt32());
        Assert.Equal(length, result.GetProperty("receivedLength").GetInt32());
        Assert.Equal(result.GetProperty("sentSha256").GetString(), result.GetProperty("receivedSha256").GetString());
    }
}
