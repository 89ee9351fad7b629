using System.Net.WebSockets;
using System.Text;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// One client connection of the soak. The soak checks the server's resources and replies over minutes, not its speed,
/// so it uses the runtime's <see cref="ClientWebSocket"/> (a second, independent implementation of the protocol)
/// rather than the benchmark's allocation-free framing.
/// </summary>
internal sealed class SoakSocket : IDisposable
{
    /// <summary>How long any one reply may take before it counts as lost: far beyond a reload's pause.</summary>
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(30);

    private readonly ClientWebSocket _socket = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private readonly MemoryStream _message = new();

    private SoakSocket()
    {
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
    }

    public static async Task<SoakSocket> ConnectAsync(Uri url, CancellationToken cancellationToken)
    {
        var socket = new SoakSocket();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReplyTimeout);
            await socket._socket.ConnectAsync(url, timeout.Token);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public Task SendAsync(string text) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    public Task SendAsync(byte[] bytes, WebSocketMessageType type) =>
        _socket.SendAsync(bytes, type, endOfMessage: true, CancellationToken.None);

    /// <summary>The next whole message; throws <see cref="SoakException"/> on a close or after <see cref="ReplyTimeout"/>.</summary>
    public async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        _message.SetLength(0);
        try
        {
            while (true)
            {
                var received = await _socket.ReceiveAsync(_buffer, timeout.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new SoakException($"the server closed the connection ({received.CloseStatus} {received.CloseStatusDescription})", unexpectedClose: true);
                }

                _message.Write(_buffer, 0, received.Count);
                if (received.EndOfMessage)
                {
                    return (received.MessageType, _message.ToArray());
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new SoakException($"no reply within {ReplyTimeout.TotalSeconds:0} s");
        }
        catch (WebSocketException ex)
        {
            throw new SoakException($"connection lost: {ex.Message}", unexpectedClose: true);
        }
    }

    public async Task<string> ReceiveTextAsync()
    {
        var (type, payload) = await ReceiveAsync();
        return type == WebSocketMessageType.Text ? Encoding.UTF8.GetString(payload) : throw new SoakException("a binary reply to a text request");
    }

    /// <summary>The close handshake; the server must answer it with 1000.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(ReplyTimeout);
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "soak", timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            throw new SoakException($"close handshake failed: {ex.Message}", unexpectedClose: true);
        }

        if (_socket.CloseStatus != WebSocketCloseStatus.NormalClosure)
        {
            throw new SoakException($"close answered with {_socket.CloseStatus}", unexpectedClose: true);
        }
    }

    /// <summary>Drops the TCP connection without a close frame, as a client that crashes or loses its network.</summary>
    public void Abort() => _socket.Abort();

    public void Dispose()
    {
        _socket.Dispose();
        _message.Dispose();
    }
}

/// <summary>A reply that was wrong, missing or replaced by a close.</summary>
internal sealed class SoakException(string message, bool unexpectedClose = false) : Exception(message)
{
    public bool UnexpectedClose { get; } = unexpectedClose;
}
