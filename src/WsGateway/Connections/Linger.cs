using System.Buffers;
using System.Net.Sockets;

namespace WsGateway.Connections;

/// <summary>
/// Ends TCP from our side without losing what we sent last: half-closes (the FIN follows everything sent), then reads
/// and discards until the peer closes its side too, or the time is up.
/// </summary>
/// <remarks>
/// Closing a socket that still holds unread input makes the kernel send RST and drop whatever it has not transmitted
/// yet (RFC 1122 4.2.2.13): a client still sending would lose our last answer (a 400 or 431, the replies before a close
/// frame, the close frame itself) and see a reset instead. RFC 6455 7.1.1 has the server close TCP first; this closes
/// it first and cleanly. Under TLS the discarded bytes are ciphertext, which is as good as any to throw away.
/// </remarks>
internal static class Linger
{
    public static async Task CloseAsync(Socket socket, TimeSpan within, CancellationToken cancellationToken)
    {
        var sink = ArrayPool<byte>.Shared.Rent(4096);
        try
        {
            socket.Shutdown(SocketShutdown.Send);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(within);
            while (await socket.ReceiveAsync(sink, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone, slow or still talking; it has had its chance to read what we sent.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
        }
    }
}
