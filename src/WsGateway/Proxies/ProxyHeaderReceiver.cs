using System.Buffers;
using System.Net;
using System.Net.Sockets;
using WsGateway.Protocol;

namespace WsGateway.Proxies;

/// <summary>
/// Takes the PROXY protocol header off an accepted socket before anything else reads it (the TLS handshake included,
/// as HAProxy sends the header before the ClientHello), and not one byte more.
/// </summary>
/// <remarks>
/// The header's length is only known once it is parsed (v1 ends at CRLF), so the bytes are peeked (MSG_PEEK), parsed,
/// and exactly the header is then received: what follows stays in the socket for the transport. Senders write the
/// header in one segment (specification section 2), so the first peek nearly always holds all of it; when it does not,
/// the peek is repeated after a short wait until the caller's deadline.
/// </remarks>
internal static class ProxyHeaderReceiver
{
    // Room for v1 (at most 107 bytes) and v2 with the usual TLVs; a larger announced v2 length gets a larger buffer.
    private const int FirstPeekBytes = 512;
    private static readonly TimeSpan PeekAgainAfter = TimeSpan.FromMilliseconds(10);

    /// <returns>The header, or null with why not (the connection is then to be closed).</returns>
    public static async Task<(ProxyHeader? Header, string? Problem)> ReceiveAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(FirstPeekBytes);
        try
        {
            while (true)
            {
                int peeked = await socket.ReceiveAsync(buffer, SocketFlags.Peek, cancellationToken);
                if (peeked == 0)
                {
                    return (null, "the peer closed the connection before a whole PROXY header");
                }

                var status = ProxyHeaderReader.TryRead(new ReadOnlySequence<byte>(buffer, 0, peeked), out var header, out int length, out var error);
                if (status == ProxyHeaderStatus.Complete)
                {
                    await ConsumeAsync(socket, buffer, length, cancellationToken);
                    return (header, null);
                }

                if (status == ProxyHeaderStatus.Error)
                {
                    return (null, error == ProxyHeaderError.NotProxyHeader ? "no PROXY header" : $"invalid PROXY header ({error})");
                }

                if (peeked == buffer.Length && buffer.Length < ProxyHeaderReader.MaxV2Length)
                {
                    // A v2 header with more TLVs than the first buffer holds.
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(ProxyHeaderReader.MaxV2Length);
                    continue;
                }

                await Task.Delay(PeekAgainAfter, cancellationToken);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Receives the <paramref name="length"/> bytes that were peeked (they are already in the socket).</summary>
    private static async Task ConsumeAsync(Socket socket, byte[] buffer, int length, CancellationToken cancellationToken)
    {
        int received = 0;
        while (received < length)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(received, length - received), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new SocketException((int)SocketError.ConnectionReset);
            }

            received += n;
        }
    }
}
