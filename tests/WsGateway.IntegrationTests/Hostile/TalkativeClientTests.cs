namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Clients that keep writing after the frame that fails their connection: the gateway stops reading, but what it sent
/// before (echoes, the close frame with its code) must still reach them.
/// </summary>
public sealed class TalkativeClientTests : IAsyncLifetime
{
    private const int Binary = 2;
    private TestGateway _gateway = null!;

    // The echo is 2 MiB, more than the socket buffers hold, and so over the 1 MiB default limit.
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Limits.MaxMessageBytes = 16 * 1024 * 1024);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData(1002)]
    [InlineData(1009)]
    public async Task Large_echo_and_the_close_code_arrive_although_the_client_keeps_sending_after_its_violation(int code)
    {
        var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        var message = new byte[2 * 1024 * 1024];
        new Random(1).NextBytes(message);
        byte[] violation = code == 1002
            ? RawWebSocketClient.Frame(Binary, "unmasked"u8.ToArray(), mask: false)
            : [0x82, 0xFF, 0, 0, 0, 0, 0x10, 0, 0, 0, 1, 2, 3, 4]; // claims 256 MiB
        var junk = new byte[1024 * 1024];

        // All of it in one go, as a pipelining client would; the write finishes (or fails) whenever the gateway lets it.
        byte[] everything = [.. RawWebSocketClient.Frame(Binary, message), .. violation, .. junk];
        var writing = client.Stream.WriteAsync(everything).AsTask();

        var echo = await client.ReadFrameAsync();
        Assert.NotNull(echo);
        Assert.Equal(message, echo.Payload);
        Assert.Equal(code, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
        try
        {
            await writing.WaitAsync(Eventually.Patience);
        }
        catch (IOException)
        {
            // Whether the gateway read all of the junk or gave up on it, the write ends.
        }

        // The gateway waits (up to the close timeout) for the client to close its side; this one does so now.
        await client.DisposeAsync();
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }
}
