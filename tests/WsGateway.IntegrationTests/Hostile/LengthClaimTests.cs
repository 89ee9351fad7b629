using System.Buffers.Binary;
using System.Security.Cryptography;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>Frame headers that claim absurd payload lengths: refused from the header, before any payload is awaited.</summary>
public sealed class LengthClaimTests : IAsyncLifetime
{
    private const int Text = 1, Binary = 2, Continuation = 0;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    /// <summary>A masked frame header with a 64-bit length field and no payload.</summary>
    private static byte[] Header64(int opcode, bool fin, ulong length)
    {
        var header = new byte[14];
        header[0] = (byte)((fin ? 0x80 : 0) | opcode);
        header[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(header.AsSpan(2), length);
        RandomNumberGenerator.Fill(header.AsSpan(10));
        return header;
    }

    [Theory]
    [InlineData("/echo", Binary, 1UL << 62)]
    [InlineData("/echo", Text, 1UL << 62)]
    [InlineData("/echo", Binary, long.MaxValue)]
    [InlineData("/", Text, 1UL << 62)]
    public async Task Frame_claiming_an_exabyte_closes_with_1009_without_waiting_for_it(string path, int opcode, ulong length)
    {
        await using (var client = await RawWebSocketClient.ConnectAsync(_gateway.Port, path))
        {
            await client.SendBytesAsync(Header64(opcode, fin: true, length));
            Assert.Equal(1009, await client.ReadCloseCodeAsync());
            Assert.True(await client.ServerClosedTcpAsync());
        }

        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience));
    }

    [Fact]
    public async Task Continuation_claiming_an_exabyte_after_a_small_fragment_closes_with_1009()
    {
        // The running total plus the claim must not overflow into a small number.
        await using var client = await RawWebSocketClient.ConnectAsync(_gateway.Port);
        await client.SendFrameAsync(Binary, new byte[100], fin: false);
        await client.SendBytesAsync(Header64(Continuation, fin: true, long.MaxValue));
        Assert.Equal(1009, await client.ReadCloseCodeAsync());
        Assert.True(await client.ServerClosedTcpAsync());
    }
}
