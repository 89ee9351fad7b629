using System.IO.Compression;
using System.Net.WebSockets;
using System.Text;
using WsGateway.Protocol;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>permessage-deflate (RFC 7692) over real sockets: ClientWebSocket, and a raw client that sees the wire.</summary>
public sealed class CompressionTests : IAsyncLifetime
{
    private const string Offer = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 1024 * 1024);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private static string Chat(int lines) =>
        string.Concat(Enumerable.Range(0, lines).Select(i => $"{{\"user\":\"user{i % 5}\",\"text\":\"hello number {i}\"}}\n"));

    public static TheoryData<bool, int> ClientModes => new()
    {
        { true, 15 }, { false, 15 }, { true, 9 }, { false, 12 },
    };

    [Theory]
    [MemberData(nameof(ClientModes))]
    public async Task ClientWebSocket_round_trips_compressed_messages_in_each_mode(bool clientContextTakeover, int clientWindowBits)
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Compression.ClientContextTakeover = true);
        using var client = await gateway.ConnectAsync("/echo", o =>
        {
            o.CollectHttpResponseDetails = true;
            o.DangerousDeflateOptions = new WebSocketDeflateOptions
            {
                ClientContextTakeover = clientContextTakeover,
                ClientMaxWindowBits = clientWindowBits,
            };
        });
        var agreed = client.HttpResponseHeaders!["Sec-WebSocket-Extensions"].Single();
        Assert.StartsWith("permessage-deflate; server_no_context_takeover", agreed);

        foreach (var text in (string[])[Chat(200), "tiny", Chat(3000), Chat(200)])
        {
            Assert.Equal(text, await client.AskAsync(text));
        }

        var noise = new byte[100_000];
        new Random(7).NextBytes(noise);
        await client.SendAsync(noise, WebSocketMessageType.Binary, true, CancellationToken.None);
        var (type, data) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Binary, type);
        Assert.Equal(noise, data);
        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Command_replies_and_broadcasts_reach_compressing_and_plain_clients_alike()
    {
        using var compressing = await _gateway.ConnectAsync("/", o => o.DangerousDeflateOptions = new WebSocketDeflateOptions());
        using var plain = await _gateway.ConnectAsync("/");
        _gateway.Gateway.Registry.SetSource("test", [
            new WsGateway.Commands.CommandDescriptor("shout", "broadcasts its arguments",
                new WsGateway.Commands.CommandOrigin(WsGateway.Commands.CommandOriginKind.Plugin, "CompressionTests"),
                ctx => ctx.BroadcastAsync(ctx.Arguments)),
        ]);

        var big = Chat(100).TrimEnd();
        await compressing.SendTextAsync("shout " + big);
        Assert.Equal(big, await compressing.ReceiveTextAsync());
        Assert.Equal(big, await plain.ReceiveTextAsync());
        Assert.StartsWith("error: unknown command", await compressing.AskAsync("nosuch " + big));
    }

    [Fact]
    public async Task Large_messages_go_out_compressed_and_small_ones_plain()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        var response = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(_gateway.Port, "/echo", Offer));
        Assert.Contains("Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n", response);

        var big = Chat(100);
        await client.SendTextAsync(big);
        var compressed = (await client.ReadFrameAsync())!;
        Assert.True(compressed.Rsv1);
        Assert.True(compressed.Payload.Length < big.Length / 4, $"{compressed.Payload.Length} bytes on the wire for {big.Length}");
        Assert.Equal(big, Inflate(compressed.Payload));

        await client.SendTextAsync("small");
        var small = (await client.ReadFrameAsync())!;
        Assert.False(small.Rsv1);
        Assert.Equal("small", small.Text);
    }

    [Fact]
    public async Task A_compressed_message_in_fragments_is_inflated_whole()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(_gateway.Port, "/echo", Offer));
        var text = Chat(300);
        var compressed = Compress(Encoding.UTF8.GetBytes(text));
        int half = compressed.Length / 2;

        await client.SendFrameAsync(1, compressed[..half], fin: false, rsv: 4);
        await client.SendFrameAsync(0, compressed[half..], fin: true);

        var echo = (await client.ReadFrameAsync())!;
        Assert.True(echo.Rsv1);
        Assert.Equal(text, Inflate(echo.Payload));
    }

    [Fact]
    public async Task A_decompression_bomb_closes_with_1009_when_the_limit_is_reached()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(_gateway.Port, "/echo", Offer));

        // 64 MiB of zeros in well under a megabyte; the limit is 1 MiB.
        var output = new MemoryStream();
        using var deflater = new DeflateStream(output, CompressionLevel.Optimal);
        var zeros = new byte[1024 * 1024];
        for (int i = 0; i < 64; i++)
        {
            deflater.Write(zeros);
        }

        deflater.Flush();
        var bomb = output.ToArray()[..^4];
        Assert.True(bomb.Length < 1024 * 1024, $"{bomb.Length} bytes");

        await client.SendFrameAsync(2, bomb, rsv: 4);

        Assert.Equal(1009, await client.ReadCloseCodeAsync());
        using var plain = await _gateway.ConnectAsync("/echo");
        Assert.Equal("still here", await plain.AskAsync("still here"));
    }

    [Fact]
    public async Task Rsv1_without_the_extension_still_closes_with_1002()
    {
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);

        await client.SendFrameAsync(1, Compress("hello"u8.ToArray()), rsv: 4);

        Assert.Equal(1002, await client.ReadCloseCodeAsync());
    }

    [Fact]
    public async Task An_offer_the_gateway_cannot_keep_is_declined_and_the_connection_works_uncompressed()
    {
        await using var client = await RawWebSocketClient.ConnectRawAsync(_gateway.Port);
        var response = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(
            _gateway.Port, "/echo", "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n"));

        Assert.StartsWith("HTTP/1.1 101", response);
        Assert.DoesNotContain("Sec-WebSocket-Extensions", response);
        await client.SendTextAsync(Chat(100));
        Assert.False((await client.ReadFrameAsync())!.Rsv1);
    }

    [Fact]
    public async Task Compression_off_in_the_configuration_declines_every_offer()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Compression.Enabled = false);
        await using var client = await RawWebSocketClient.ConnectRawAsync(gateway.Port);

        var response = await client.SendRequestAsync(RawWebSocketClient.UpgradeRequest(gateway.Port, "/echo", Offer));

        Assert.DoesNotContain("Sec-WebSocket-Extensions", response);
    }

    private static byte[] Compress(byte[] payload)
    {
        var buffer = MessageDeflater.Compress(payload, out int length);
        return buffer[..length];
    }

    private static string Inflate(byte[] payload)
    {
        using var inflater = new DeflateStream(new MemoryStream([.. payload, 0x00, 0x00, 0xFF, 0xFF]), CompressionMode.Decompress);
        using var reader = new StreamReader(inflater, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
