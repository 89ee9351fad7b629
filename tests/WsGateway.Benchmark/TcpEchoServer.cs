using System.Net;
using System.Net.Sockets;

namespace WsGateway.Benchmark;

/// <summary>
/// The baseline: sends back every byte it receives, with nothing of WebSocket in between. The load generator's
/// figures against it are the most this client and this kernel can do, so a WebSocket server near it is client-bound.
/// </summary>
internal sealed class TcpEchoServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    public TcpEchoServer(int port)
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, port));
        _listener.Listen(512);
        _acceptLoop = AcceptLoopAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndPoint!;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Dispose();
        await _acceptLoop;
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            socket.NoDelay = true;
            _ = EchoAsync(socket);
        }
    }

    private async Task EchoAsync(Socket socket)
    {
        using (socket)
        {
            var buffer = new byte[64 * 1024];
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, _stopping.Token)) > 0)
                {
                    await socket.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stopping.Token);
                }
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // Peer gone or server stopping.
            }
        }
    }
}
