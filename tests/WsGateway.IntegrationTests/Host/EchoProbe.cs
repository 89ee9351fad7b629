using System.Buffers.Binary;

namespace WsGateway.IntegrationTests.Host;

/// <summary>Sends one message of a given size to /echo on a new connection and says what came back.</summary>
public static class EchoProbe
{
    public const string Echoed = "echoed";

    /// <returns><see cref="Echoed"/>, or <c>closed NNNN</c> with the close code the gateway sent instead.</returns>
    public static async Task<string> SendAsync(int port, int size)
    {
        await using var client = await RawWebSocketClient.ConnectAsync(port, "/echo");
        await client.SendTextAsync(new string('x', size));
        var frame = await client.ReadFrameAsync() ?? throw new IOException("The gateway closed TCP without a close frame.");
        return frame.Opcode == 8
            ? $"closed {BinaryPrimitives.ReadUInt16BigEndian(frame.Payload)}"
            : frame.Payload.Length == size ? Echoed : $"a {frame.Payload.Length}-byte frame";
    }

    /// <summary>Probes until the answer is <paramref name="expected"/> or <paramref name="within"/> passes; returns the last answer.</summary>
    public static async Task<string?> EventuallyAsync(int port, int size, string expected, TimeSpan within) =>
        await Eventually.ValueAsync(() => SendAsync(port, size)!, answer => answer == expected, within);
}
