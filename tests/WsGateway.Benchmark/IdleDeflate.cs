using System.Buffers.Binary;
using System.IO.Compression;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.Benchmark;

/// <summary>
/// permessage-deflate in the idle mode, to measure what the extension costs an idle connection: <c>none</c> offers
/// nothing; <c>offer</c> offers it as browsers do; <c>active</c> also sends one compressed message and reads its
/// compressed echo before going idle, so a server that keeps zlib state per connection holds it.
/// </summary>
internal enum IdleDeflate
{
    None,
    Offer,
    Active,
}

internal static class IdleDeflateExchange
{
    /// <summary>What Chromium sends.</summary>
    public const string Offer = "permessage-deflate; client_max_window_bits";

    // A chat-like JSON message, compressed on its own (no context), as a client that compresses sends it.
    private static readonly byte[] Message = Encoding.UTF8.GetBytes(string.Concat(
        Enumerable.Range(0, 40).Select(i => $"{{\"user\":\"user{i % 5}\",\"text\":\"hello number {i}\"}}")));

    private static readonly byte[] CompressedFrame = BuildCompressedFrame();

    public static IdleDeflate Parse(string? value) => value switch
    {
        null or "none" => IdleDeflate.None,
        "offer" => IdleDeflate.Offer,
        "active" => IdleDeflate.Active,
        _ => throw new ArgumentException("--deflate is none, offer or active"),
    };

    /// <summary>Checks the server agreed, and for <see cref="IdleDeflate.Active"/> sends the message and reads its echo.</summary>
    /// <param name="buffer">Holds the response head up to <paramref name="start"/>, then <paramref name="end"/> − start bytes already read past it.</param>
    public static async Task RunAsync(Socket socket, IdleDeflate mode, byte[] buffer, int start, int end, CancellationToken cancellationToken)
    {
        if (buffer.AsSpan(0, start).IndexOf("permessage-deflate"u8) < 0)
        {
            throw new BenchmarkException("the server did not accept permessage-deflate");
        }

        if (mode != IdleDeflate.Active)
        {
            return;
        }

        await socket.SendAsync(CompressedFrame, SocketFlags.None, cancellationToken);
        int length = end - start;
        buffer.AsSpan(start, length).CopyTo(buffer);
        while (FrameLength(buffer.AsSpan(0, length)) is not { } total || length < total)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None, cancellationToken);
            length += read > 0 ? read : throw new BenchmarkException("server closed the TCP connection");
        }

        if ((buffer[0] & 0x40) == 0)
        {
            throw new BenchmarkException("the echo of a compressed message came back uncompressed");
        }
    }

    /// <summary>Header plus payload length of the server frame at the start of <paramref name="bytes"/>, once its header is in.</summary>
    private static int? FrameLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 2)
        {
            return null;
        }

        int length7 = bytes[1] & 0x7f;
        return length7 switch
        {
            < 126 => 2 + length7,
            126 when bytes.Length >= 4 => 4 + BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]),
            127 => throw new BenchmarkException("unexpectedly large echo"),
            _ => null,
        };
    }

    private static byte[] BuildCompressedFrame()
    {
        var output = new MemoryStream();
        using var deflater = new DeflateStream(output, CompressionLevel.Optimal);
        deflater.Write(Message);
        deflater.Flush();
        return ClientFrame.Build(ClientFrame.Text, output.ToArray()[..^4], rsv1: true);
    }
}
