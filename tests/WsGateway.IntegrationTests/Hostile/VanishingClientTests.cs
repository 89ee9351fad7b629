using System.Net.Sockets;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>Clients that disappear with a TCP reset instead of a close handshake: their connections must be freed.</summary>
public sealed class VanishingClientTests : IAsyncLifetime
{
    private const int Text = 1, Binary = 2;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        // The large echo below is 8 MiB, over the 1 MiB default limit.
        _gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 16 * 1024 * 1024);
        SayCommand.AddTo(_gateway);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>Linger on with a zero timeout makes close() send RST instead of FIN: the peer just vanishes.</summary>
    private static void Reset(RawWebSocketClient client)
    {
        client.Stream.Socket.LingerState = new LingerOption(enable: true, seconds: 0);
        client.Stream.Socket.Close();
    }

    [Theory]
    [InlineData("/echo")]
    [InlineData("/")]
    public async Task Client_that_sends_half_a_frame_and_resets_is_freed(string path)
    {
        await using (var client = await RawWebSocketClient.ConnectAsync(_gateway.Port, path))
        {
            Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 1, Eventually.Patience));
            var frame = RawWebSocketClient.Frame(Text, new byte[100]);
            await client.SendBytesAsync(frame[..(frame.Length / 2)]);
            Reset(client);
        }

        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience),
            $"still open: {_gateway.Gateway.ConnectionCount}");
    }

    [Fact]
    public async Task Client_that_resets_while_its_large_echo_is_being_sent_is_freed()
    {
        await using (var client = await RawWebSocketClient.ConnectAsync(_gateway.Port))
        {
            // Bigger than the socket buffers on both sides: the echo is still being written when the reset arrives.
            await client.SendFrameAsync(Binary, new byte[8 * 1024 * 1024]);
            Reset(client);
        }

        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience),
            $"still open: {_gateway.Gateway.ConnectionCount}");
        using var fresh = await _gateway.ConnectAsync("/echo");
        Assert.Equal("still serving", await fresh.AskAsync("still serving"));
    }
}
