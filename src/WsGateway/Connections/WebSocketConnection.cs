using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Serilog;
using Serilog.Core;
using Serilog.Core.Enrichers;
using WsGateway.Contracts;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Sending;
using WsGateway.Transport;

namespace WsGateway.Connections;

/// <summary>
/// One upgraded connection: the receive loop that feeds what the transport read to a <see cref="MessageAssembler"/>
/// and hands messages to the route, the close handshake, and keepalive. Sending is the <see cref="FrameSender"/>'s.
/// </summary>
internal sealed class WebSocketConnection : IWebSocketConnection
{
    private readonly TransportConnection _transport;
    private readonly FrameSender _sender;
    // Made on the first bytes received (Assembler): a connection that has sent nothing holds none.
    private MessageAssembler? _assembler;
    private readonly LiveOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _serverLog;
    private ILogger? _log;
    private CancellationTokenSource? _closed;
    // Aborted and ShutDown, set once each (one field rather than two: this object is held per idle connection).
    private const int Aborted = 1;
    private const int ShutDown = 2;
    private int _flags;

    // The code of the peer's close frame, answered once the work it left behind is done; 0 (never a close code) for none.
    private int _peerCloseCode;

    // Why the receive loop closed the connection, logged once the loop is over (it may run on the socket engine's thread).
    private FrameError _failure;

    private long _messagesIn;
    private long _bytesIn;

    // ConnectedAt as UTC ticks: half the size of a DateTimeOffset.
    private readonly long _connectedAt;

    private ConnectionLiveness _liveness = new(Environment.TickCount64);

    public WebSocketConnection(
        string id, TransportConnection transport, IPEndPoint? remoteEndPoint, string path, string? subprotocol, DeflateAgreement? deflate,
        CallerIdentity identity, LiveOptions options, IWebSocketRoute route, GatewayMetrics metrics, ILogger serverLog)
    {
        Id = id;
        RemoteEndPoint = remoteEndPoint;
        _transport = transport;
        Path = path;
        Subprotocol = subprotocol;
        _options = options;
        Route = route;
        _metrics = metrics;
        _serverLog = serverLog;
        _connectedAt = DateTime.UtcNow.Ticks;
        Deflate = deflate;
        Identity = identity;
        _sender = new FrameSender(transport, id, options, metrics, serverLog, deflate: deflate is not null);
    }

    public string Id { get; }

    /// <summary>The client's address: the peer's, or the one a trusted proxy gave (<see cref="Proxies.ProxyTrust"/>).</summary>
    public IPEndPoint? RemoteEndPoint { get; }
    public string Path { get; }

    /// <summary>The subprotocol agreed in the handshake, or null.</summary>
    public string? Subprotocol { get; }

    /// <summary>permessage-deflate as agreed in the handshake, or null when the connection is not compressed.</summary>
    public DeflateAgreement? Deflate { get; }
    public DateTimeOffset ConnectedAt => new(_connectedAt, TimeSpan.Zero);

    /// <summary>Who connected, as authentication saw it in the handshake.</summary>
    public CallerIdentity Identity { get; }

    /// <summary>
    /// A logger carrying <c>SessionId</c>, <c>RemoteAddress</c> and, for an authenticated caller, <c>User</c>; made on
    /// first use (idle connections never log).
    /// </summary>
    public ILogger Log => _log ??= _serverLog.ForContext(Identity.IsAuthenticated
        ? (ILogEventEnricher[])[new PropertyEnricher("SessionId", Id), new PropertyEnricher("RemoteAddress", RemoteEndPoint?.ToString()), new PropertyEnricher("User", Identity.Name)]
        : [new PropertyEnricher("SessionId", Id), new PropertyEnricher("RemoteAddress", RemoteEndPoint?.ToString())]);
    public IWebSocketRoute Route { get; }

    /// <summary>Fires once the connection is gone; commands of this connection watch it.</summary>
    /// <remarks>Made on first use: only routes that run work for the connection (commands) need one.</remarks>
    public CancellationToken Closed => (Volatile.Read(ref _closed) ?? CreateClosed()).Token;

    /// <summary>
    /// This connection's one sender: replies, broadcasts and control frames are all written through it, in order.
    /// </summary>
    public FrameSender Sender => _sender;

    public (long Messages, long Bytes) Received => (Volatile.Read(ref _messagesIn), Volatile.Read(ref _bytesIn));

    /// <summary>True once a close frame has gone out; no data frame may follow it (RFC 6455 5.5.1).</summary>
    private bool CloseSent => _sender.CloseSent;

    private LimitsOptions Limits => _options.Current.Limits;

    /// <summary>
    /// Sends what is queued (the 101 response, which the handshake queued before the route learns of the connection,
    /// so whatever the route sends right away follows it on the wire), then runs until the close handshake completes,
    /// the peer disappears or the connection is aborted.
    /// </summary>
    /// <param name="ended">Called once the connection is gone, after its shutdown (the server's bookkeeping).</param>
    /// <remarks>
    /// The receive loop is written out here rather than awaited as a method of its own: every idle connection waits
    /// in it, and one async state machine fewer per connection saves 112 bytes.
    /// </remarks>
    public async Task RunAsync(Action<WebSocketConnection>? ended = null)
    {
        bool upgraded = false;
        try
        {
            await Route.OnOpenAsync(this);
            await _sender.FlushAsync();
            upgraded = !_transport.IsAborted;

            var input = _transport.Input;
            while (true)
            {
                var result = await input.ReadAsync();
                var buffer = result.Buffer;
                bool completed = result.IsCompleted || result.IsCanceled;
                if (!buffer.IsEmpty)
                {
                    _liveness.OnBytesReceived(Environment.TickCount64);
                }

                // Corked while working through this read: the replies to all its messages go out in one send.
                _sender.Cork();
                bool corked = true;
                ReadProgress progress;
                try
                {
                    while ((progress = Consume(ref buffer, out var delivered)) == ReadProgress.Delivering)
                    {
                        // The route is waiting (a full command queue): what is queued must not wait with it.
                        corked = false;
                        await _sender.UncorkAsync();
                        await delivered;
                        _sender.Cork();
                        corked = true;
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    if (corked)
                    {
                        await _sender.UncorkAsync();
                    }
                }

                if (progress == ReadProgress.Stop)
                {
                    break;
                }

                // Hold no buffer while waiting for the next bytes (unless a message is half received).
                _assembler?.ReleaseBuffers();
                if (completed)
                {
                    // TCP closed without a close frame: 1006 for the application, nothing to send.
                    break;
                }
            }

            // Nothing more is received: a message cut short gives its buffer (and budget) back now, not after the close
            // handshake, so a connection refused by the budget frees its share while it waits for the client's close.
            _assembler?.Dispose();

            // The loop ran where reads complete: on the socket engine's thread under inline completions, which saves a
            // thread hop per read. Closing, logging and the route's draining do not run there.
            await SocketThread.Leave();
            if (_failure != FrameError.None)
            {
                Log.Information("Closing {SessionId} with {CloseCode}: {Reason}", Id, CloseStatus.ForError(_failure), CloseStatus.DescribeWithLimit(_failure, Limits.MaxMessageBytes));
            }

            if (_peerCloseCode != 0)
            {
                Log.Debug("Connection {SessionId} closed by peer with {CloseCode}", Id, _peerCloseCode);
                await AnswerPeerCloseAsync(_peerCloseCode);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            await SocketThread.Leave();
            if (!IsAborted)
            {
                Log.Debug(ex, "Connection {SessionId} lost", Id);
            }
        }
        catch (Exception ex)
        {
            // A bug on our side must cost this connection only, and say so.
            await SocketThread.Leave();
            Log.Error(ex, "Connection {SessionId} failed", Id);
            if (upgraded)
            {
                await SendCloseAsync(CloseStatus.InternalError, "internal error");
            }
        }
        finally
        {
            try
            {
                await ShutdownAsync();
            }
            finally
            {
                ended?.Invoke(this);
            }
        }
    }

    /// <summary>
    /// Starts the close handshake: sends a close frame (once) and waits for the peer's answer for at most
    /// <see cref="LimitsOptions.CloseTimeoutSeconds"/> before dropping TCP.
    /// </summary>
    public async ValueTask CloseAsync(int code, string? reason)
    {
        if (await SendCloseAsync(code, reason))
        {
            _liveness.OnCloseSent(Environment.TickCount64, Limits);
        }
    }

    /// <summary>
    /// Called about once a second by the server: does what <see cref="ConnectionLiveness"/> decides (a peer that
    /// vanished without a FIN would otherwise hold its slot forever).
    /// </summary>
    public void CheckLiveness(long now)
    {
        var limits = Limits;
        bool expired = Identity.ExpiresAt is { } expires && expires <= DateTimeOffset.UtcNow
            && _options.Current.Authentication.OnExpiry == ExpiryAction.Close;
        switch (_liveness.Check(now, CloseSent, expired, limits))
        {
            case LivenessAction.DropUnansweredClose:
                Log.Debug("Dropping {SessionId}: no answer to our close frame within {CloseTimeoutSeconds} s", Id, limits.CloseTimeoutSeconds);
                Abort();
                break;
            case LivenessAction.CloseExpired:
                Log.Information("Closing {SessionId}: the credential of {User} expired at {ExpiresAt:u}", Id, Identity.Name, Identity.ExpiresAt);
                _ = CloseAsync(CloseStatus.PolicyViolation, "token expired").AsTask();
                break;
            case LivenessAction.CloseIdle:
                Log.Information("Closing {SessionId}: no message for {IdleTimeoutSeconds} s", Id, limits.IdleTimeoutSeconds);
                _ = CloseAsync(CloseStatus.GoingAway, "idle timeout").AsTask();
                break;
            case LivenessAction.Drop:
                Log.Information("Dropping {SessionId}: no answer to a keepalive ping within {KeepAliveTimeoutSeconds} s", Id, limits.KeepAliveTimeoutSeconds);
                Abort();
                break;
            case LivenessAction.Ping:
                _ = _sender.SendAsync(Opcode.Ping, ReadOnlySpan<byte>.Empty).AsTask();
                break;
        }
    }

    /// <summary>Drops the connection without a close frame (the peer cannot be written to).</summary>
    public void Abort()
    {
        if ((Interlocked.Or(ref _flags, Aborted) & Aborted) == 0)
        {
            // The receive loop sees a cancelled read and ends; sends in flight fail with the socket.
            _transport.Input.CancelPendingRead();
            _transport.Abort();
        }
    }

    private bool IsAborted => (Volatile.Read(ref _flags) & Aborted) != 0;

    private MessageAssembler Assembler =>
        _assembler ??= new MessageAssembler(Deflate is null ? null : new MessageInflater(Deflate.ClientContextTakeover), _transport.Budget);

    /// <summary>
    /// Hands the messages and control frames in <paramref name="buffer"/> to the route and the close handshake, until
    /// it needs more bytes, the receive loop must stop, or a delivery has to be awaited.
    /// </summary>
    /// <param name="delivered">With <see cref="ReadProgress.Delivering"/>: the route's unfinished delivery.</param>
    private ReadProgress Consume(ref ReadOnlySequence<byte> buffer, out ValueTask delivered)
    {
        delivered = default;
        while (true)
        {
            var status = Assembler.TryAssemble(ref buffer, Limits.MaxMessageBytes, out var error);
            if (status == AssembleStatus.NeedMoreData)
            {
                return ReadProgress.NeedMoreData;
            }

            if (status == AssembleStatus.Error)
            {
                QueueFailure(error);
                return ReadProgress.Stop;
            }

            if (status == AssembleStatus.Control)
            {
                if (!HandleControlFrame())
                {
                    return ReadProgress.Stop;
                }

                continue;
            }

            delivered = DeliverMessageAsync();
            if (!delivered.IsCompleted)
            {
                return ReadProgress.Delivering;
            }
        }
    }

    private enum ReadProgress
    {
        NeedMoreData,
        Stop,
        Delivering,
    }

    private ValueTask DeliverMessageAsync()
    {
        var message = Assembler.Message;
        _liveness.OnMessage(Environment.TickCount64);
        _metrics.MessageReceived(message.Length);
        // Only the receive loop writes them; a reader elsewhere (the admin API) may see one a message behind the other.
        Volatile.Write(ref _messagesIn, _messagesIn + 1);
        Volatile.Write(ref _bytesIn, _bytesIn + message.Length);
        return CloseSent ? ValueTask.CompletedTask : Route.OnMessageAsync(this, Assembler.MessageOpcode, message);
    }

    /// <returns>False when the receive loop should end (the close handshake is done).</returns>
    private bool HandleControlFrame()
    {
        var payload = Assembler.Control;
        switch (Assembler.ControlOpcode)
        {
            case Opcode.Ping:
                // Queued under the receive loop's cork; sent with the rest of this read's replies.
                _ = _sender.SendAsync(Opcode.Pong, payload.Span);
                return true;
            case Opcode.Pong:
                return true;
            default:
                if (!CloseStatus.TryParsePayload(payload.Span, out int code, out _, out var error))
                {
                    QueueFailure(error);
                    return false;
                }

                _peerCloseCode = code;
                return false;
        }
    }

    /// <summary>
    /// Answers the peer's close frame once the messages it sent before it are answered (RFC 6455 5.5.1 lets an
    /// endpoint finish sending its current message first), waiting at most <see cref="LimitsOptions.CloseTimeoutSeconds"/>.
    /// </summary>
    private async Task AnswerPeerCloseAsync(int code)
    {
        if (!CloseSent)
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(Limits.CloseTimeoutSeconds));
            await Route.DrainAsync(this, "the connection is closing", deadline.Token);
        }

        // Echo the peer's code; an empty close is answered with an empty close.
        if (_sender.TryQueueClose(code == CloseStatus.NoStatusReceived ? null : code, null))
        {
            await _sender.FlushAsync();
        }
    }

    private void QueueFailure(FrameError error)
    {
        // Logged once the receive loop is over: it may run on the socket engine's thread.
        _failure = error;
        _sender.TryQueueClose(CloseStatus.ForError(error), CloseStatus.DescribeWithLimit(error, Limits.MaxMessageBytes));
    }

    /// <returns>True when this call sent the close frame; false when one had already gone out.</returns>
    private async ValueTask<bool> SendCloseAsync(int? code, string? reason)
    {
        if (!_sender.TryQueueClose(code, reason))
        {
            return false;
        }

        await _sender.FlushAsync();
        return true;
    }

    private async Task ShutdownAsync()
    {
        if (CloseSent && !IsAborted)
        {
            await _transport.CloseAsync(TimeSpan.FromSeconds(Limits.CloseTimeoutSeconds), CancellationToken.None);

            // Its last read completed on the socket engine's thread; the route's cleanup is not for it.
            await SocketThread.Leave();
        }

        Abort();
        Interlocked.Or(ref _flags, ShutDown);
        Volatile.Read(ref _closed)?.Cancel();
        try
        {
            await Route.OnClosedAsync(this);
        }
        catch (Exception ex)
        {
            Log.Error(ex, "Route cleanup for {SessionId} failed", Id);
        }

        _sender.Stop();
        await _transport.DisposeAsync();
        _assembler?.Dispose();
    }

    private CancellationTokenSource CreateClosed()
    {
        var created = new CancellationTokenSource();
        var closed = Interlocked.CompareExchange(ref _closed, created, null) ?? created;
        if (closed != created)
        {
            created.Dispose();
        }
        else if ((Volatile.Read(ref _flags) & ShutDown) != 0)
        {
            // Asked for after shutdown (or while it ran): the connection is already gone.
            closed.Cancel();
        }

        return closed;
    }
}
