using System.Text;
using WsGateway.IntegrationTests.Infrastructure;

namespace WsGateway.IntegrationTests.Connections;

/// <summary>RFC 6455 framing rules, checked from a raw socket against the echo route.</summary>
public sealed class FramingTests : IAsyncLifetime
{
    private const int Text = 1, Binary = 2, Continuation = 0, Close = 8, Ping = 9, Pong = 10;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 8 * 1024 * 1024);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private Task<RawWebSocketClient> Connect() => RawWebSocketClient.ConnectAsync(_gateway.Port);

    private static async Task AssertFailsWith(RawWebSocketClient client, int code)
    {
        Assert.Equal(code, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(125)]
    [InlineData(126)]
    [InlineData(65535)]
    [InlineData(65536)]
    [InlineData(1_000_000)]
    public async Task Text_of_every_length_encoding_is_echoed(int length)
    {
        await using var client = await Connect();
        var text = new string('x', length);
        await client.SendTextAsync(text);
        var echo = await client.ReadFrameAsync();
        Assert.NotNull(echo);
        Assert.Equal(Text, echo.Opcode);
        Assert.True(echo.Fin);
        Assert.Equal(text, echo.Text);
    }

    [Fact]
    public async Task Binary_is_echoed_unchanged()
    {
        await using var client = await Connect();
        var payload = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        await client.SendFrameAsync(Binary, payload);
        var echo = await client.ReadFrameAsync();
        Assert.Equal(Binary, echo!.Opcode);
        Assert.Equal(payload, echo.Payload);
    }

    [Fact]
    public async Task Frame_arriving_one_byte_at_a_time_is_echoed()
    {
        await using var client = await Connect();
        foreach (var b in RawWebSocketClient.Frame(Text, Encoding.UTF8.GetBytes("héllo wörld €𝄞")))
        {
            await client.SendBytesAsync([b]);
        }

        Assert.Equal("héllo wörld €𝄞", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Unmasked_client_frame_fails_with_1002()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, "hi"u8.ToArray(), mask: false);
        await AssertFailsWith(client, 1002);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    [InlineData(7)]
    public async Task Reserved_bits_fail_with_1002(int rsv)
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, "hi"u8.ToArray(), rsv: rsv);
        await AssertFailsWith(client, 1002);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(11)]
    [InlineData(15)]
    public async Task Reserved_opcodes_fail_with_1002(int opcode)
    {
        await using var client = await Connect();
        await client.SendFrameAsync(opcode, []);
        await AssertFailsWith(client, 1002);
    }

    [Fact]
    public async Task Ping_is_answered_by_pong_with_the_same_payload()
    {
        await using var client = await Connect();
        var payload = Enumerable.Range(0, 125).Select(i => (byte)i).ToArray();
        await client.SendFrameAsync(Ping, payload);
        var pong = await client.ReadFrameAsync();
        Assert.Equal(Pong, pong!.Opcode);
        Assert.Equal(payload, pong.Payload);
    }

    [Fact]
    public async Task Unsolicited_pong_is_ignored()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Pong, "unsolicited"u8.ToArray());
        await client.SendTextAsync("still here");
        Assert.Equal("still here", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Control_frame_over_125_bytes_fails_with_1002()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Ping, new byte[126]);
        await AssertFailsWith(client, 1002);
    }

    [Fact]
    public async Task Fragmented_control_frame_fails_with_1002()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Ping, "a"u8.ToArray(), fin: false);
        await AssertFailsWith(client, 1002);
    }

    [Fact]
    public async Task Fragmented_message_with_pings_between_fragments_is_echoed_whole()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, "frag"u8.ToArray(), fin: false);
        await client.SendFrameAsync(Ping, "p1"u8.ToArray());
        await client.SendFrameAsync(Continuation, "men"u8.ToArray(), fin: false);
        await client.SendFrameAsync(Ping, "p2"u8.ToArray());
        await client.SendFrameAsync(Continuation, "ted"u8.ToArray());

        Assert.Equal("p1", (await client.ReadFrameAsync())!.Text);
        Assert.Equal("p2", (await client.ReadFrameAsync())!.Text);
        var message = await client.ReadFrameAsync();
        Assert.Equal(Text, message!.Opcode);
        Assert.Equal("fragmented", message.Text);
    }

    [Fact]
    public async Task Continuation_without_a_message_fails_with_1002()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Continuation, "x"u8.ToArray());
        await AssertFailsWith(client, 1002);
    }

    [Fact]
    public async Task New_message_inside_a_fragmented_one_fails_with_1002()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, "one"u8.ToArray(), fin: false);
        await client.SendFrameAsync(Text, "two"u8.ToArray());
        await AssertFailsWith(client, 1002);
    }

    [Fact]
    public async Task Invalid_utf8_fails_with_1007()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, [0xCE, 0xBA, 0xE1, 0xBD, 0xB9, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0xED, 0xA0, 0x80, 0x65, 0x64, 0x69, 0x74, 0x65, 0x64]);
        await AssertFailsWith(client, 1007);
    }

    [Fact]
    public async Task Invalid_utf8_fails_fast_in_the_middle_of_an_unfinished_fragment()
    {
        await using var client = await Connect();
        // F4 90 can never start valid UTF-8 (beyond U+10FFFF): the gateway must not wait for the rest.
        await client.SendFrameAsync(Text, [(byte)'o', (byte)'k', 0xF4, 0x90], fin: false);
        await AssertFailsWith(client, 1007);
    }

    [Fact]
    public async Task Invalid_utf8_fails_fast_in_the_middle_of_a_frame_still_arriving()
    {
        await using var client = await Connect();
        var frame = RawWebSocketClient.Frame(Text, [.. "valid"u8, 0xC0, 0xAF, .. new byte[1000]]);
        // Send only the header and the first bytes: the frame itself is not complete.
        await client.SendBytesAsync(frame[..20]);
        await AssertFailsWith(client, 1007);
    }

    [Fact]
    public async Task Code_point_split_across_fragments_is_accepted()
    {
        await using var client = await Connect();
        var bytes = Encoding.UTF8.GetBytes("κόσμε 𝄞");
        for (int i = 0; i < bytes.Length; i++)
        {
            await client.SendFrameAsync(i == 0 ? Text : Continuation, [bytes[i]], fin: i == bytes.Length - 1);
        }

        Assert.Equal("κόσμε 𝄞", (await client.ReadFrameAsync())!.Text);
    }

    [Fact]
    public async Task Text_ending_inside_a_code_point_fails_with_1007()
    {
        await using var client = await Connect();
        await client.SendFrameAsync(Text, [(byte)'a', 0xE2, 0x82]);
        await AssertFailsWith(client, 1007);
    }

    [Fact]
    public async Task Four_mebibyte_message_in_64_byte_fragments_is_echoed()
    {
        await using var client = await Connect();
        var payload = new byte[4 * 1024 * 1024];
        new Random(42).NextBytes(payload);
        using (var frames = new MemoryStream())
        {
            for (int offset = 0; offset < payload.Length; offset += 64)
            {
                frames.Write(RawWebSocketClient.Frame(offset == 0 ? Binary : Continuation, payload[offset..(offset + 64)], fin: offset + 64 == payload.Length));
            }

            await client.SendBytesAsync(frames.ToArray());
        }

        var echo = await client.ReadFrameAsync();
        Assert.Equal(Binary, echo!.Opcode);
        Assert.Equal(payload, echo.Payload);
    }

    [Fact]
    public async Task Message_exactly_at_the_limit_is_accepted_and_one_byte_more_fails_with_1009()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 1000);
        await using (var client = await RawWebSocketClient.ConnectAsync(gateway.Port))
        {
            await client.SendFrameAsync(Binary, new byte[600], fin: false);
            await client.SendFrameAsync(Continuation, new byte[400]);
            Assert.Equal(1000, (await client.ReadFrameAsync())!.Payload.Length);
        }

        await using (var client = await RawWebSocketClient.ConnectAsync(gateway.Port))
        {
            await client.SendFrameAsync(Binary, new byte[600], fin: false);
            await client.SendFrameAsync(Continuation, new byte[401]);
            await AssertFailsWith(client, 1009);
        }
    }

    [Fact]
    public async Task Oversized_frame_header_fails_with_1009_before_its_payload_arrives()
    {
        await using var gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 1000);
        await using var client = await RawWebSocketClient.ConnectAsync(gateway.Port);
        var frame = RawWebSocketClient.Frame(Binary, new byte[70_000]);
        await client.SendBytesAsync(frame[..14]);
        await AssertFailsWith(client, 1009);
    }

    [Fact]
    public async Task Bad_frame_on_one_connection_leaves_the_others_working()
    {
        await using var good = await Connect();
        await using var bad = await Connect();
        await bad.SendFrameAsync(Text, "x"u8.ToArray(), mask: false);
        await AssertFailsWith(bad, 1002);
        await good.SendTextAsync("unaffected");
        Assert.Equal("unaffected", (await good.ReadFrameAsync())!.Text);
    }
}
