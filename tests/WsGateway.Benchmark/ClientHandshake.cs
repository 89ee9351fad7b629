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
    /// <param name="extensions">A <c>Sec-WebSocket-Extensions</c> offer, or null for none.</param>
    public static async Task<(int Start, int End)> RunAsync(
        Socket socket, Uri url, byte[] buffer, CancellationToken cancellationToken, string? extensions = null, string? subprotocol = null)
    {
        await socket.SendAsync(Request(url, extensions, subprotocol), SocketFlags.None, cancellationToken);
        int end = 0;
        int headEnd;
        while ((headEnd = HeadEnd(buffer, end)) < 0)
        {
            end += Received(await socket.ReceiveAsync(buffer.AsMemory(end), SocketFlags.None, cancellationToken));
        }

        return (Check(buffer, headEnd), end);
    }

    /// <summary>
    /// The same with blocking calls (bounded by the socket's send and receive timeouts), for sockets that must stay
    /// out of the runtime's own epoll: a socket joins it at its first asynchronous operation.
    /// </summary>
    public static (int Start, int End) Run(Socket socket, Uri url, byte[] buffer)
    {
        socket.Send(Request(url));
        int end = 0;
        int headEnd;
        while ((headEnd = HeadEnd(buffer, end)) < 0)
        {
            end += Received(socket.Receive(buffer.AsSpan(end)));
        }

        return (Check(buffer, headEnd), end);
    }

    private static byte[] Request(Uri url, string? extensions = null, string? subprotocol = null) => Encoding.ASCII.GetBytes(
        $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {Key}\r\nSec-WebSocket-Version: 13\r\n" +
        (extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n") +
        (subprotocol is null ? "" : $"Sec-WebSocket-Protocol: {subprotocol}\r\n") + "\r\n");

    private static int HeadEnd(byte[] buffer, int end)
    {
        int headEnd = buffer.AsSpan(0, end).IndexOf("\r\n\r\n"u8);
        if (headEnd < 0 && end == buffer.Length)
        {
            throw new BenchmarkException("handshake response head too large");
        }

        return headEnd;
    }

    private static int Received(int read) => read > 0 ? read : throw new BenchmarkException("server closed the TCP connection");

    private static int Check(byte[] buffer, int headEnd)
    {
        string head = Encoding.ASCII.GetString(buffer, 0, headEnd);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) || !head.Contains(ExpectedAccept, StringComparison.Ordinal))
        {
            throw new BenchmarkException($"handshake refused: {head.Split('\r')[0]}");
        }

        return headEnd + 4;
    }
}
