using System.Net.Sockets;
using System.Text;

namespace WsGateway.Benchmark;

/// <summary>The client side of the opening handshake, shared by every mode that speaks WebSocket.</summary>
internal static class ClientHandshake
{
    // RFC 6455 1.3's sample key, and the accept value it must produce.
    private const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
    private const string ExpectedAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    /// <summary>Sends the upgrade request and reads the response head into <paramref name="buffer"/>.</summary>
    /// <returns>Where the bytes after the head start and end: the server may send its first frames right behind its 101.</returns>
    public static async Task<(int Start, int End)> RunAsync(Socket socket, Uri url, byte[] buffer, CancellationToken cancellationToken)
    {
        var request = Encoding.ASCII.GetBytes(
            $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await socket.SendAsync(request, SocketFlags.None, cancellationToken);
        int end = 0;
        int headEnd;
        while ((headEnd = buffer.AsSpan(0, end).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (end == buffer.Length)
            {
                throw new BenchmarkException("handshake response head too large");
            }

            int read = await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                throw new BenchmarkException("server closed the TCP connection");
            }

            end += read;
        }

        string head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) || !head.Contains(ExpectedAccept, StringComparison.Ordinal))
        {
            throw new BenchmarkException($"handshake refused: {head.Split('\r')[0]}");
        }

        return (headEnd + 4, end);
    }
}
