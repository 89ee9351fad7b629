using System.Net;
using System.Net.Sockets;
using Serilog;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Connections;

/// <summary>
/// One upgraded connection: the receive loop that feeds what the transport read to a <see cref="MessageAssembler"/>
/// and hands messages to the route, the close handshake, and keepalive. Sending is the <see cref="FrameSender"/>'s.
/// </summary>
internal sealed class WebSocketConnection
{
    private readonly TransportConnection _transport;
    private readonly FrameSender _sender;
    private readonly MessageAssembler _assembler = new();
    private readonly LiveOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly CancellationTokenSource _aborted = new();
    private readonly CancellationTokenSource _closed = new();
    private ConnectionLiveness _liveness = new(Environment.TickCount64);

    public WebSocketConnection(
        string id, TransportConnection transport, string path, string? subprotocol,
        LiveOptions options, IWebSocketRoute route, GatewayMetrics metrics, ILogger log)
    {
        Id = id;
        _transport = transport;
        Path = path;
        Subprotocol = subprotocol;
        _options = options;
        Route = route;
        _metrics = metrics;
        Log = log;
        ConnectedAt = DateTimeOffset.UtcNow;
        _sender = new FrameSender(transport, options, metrics, log);
    }

    public string Id { get; }
    public IPEndPoint? RemoteEndPoint => _transport.RemoteEndPoint;
    public string Path { get; }

    /// <summary>The subprotocol agreed in the handshake, or null.</summary>
    public string? Subprotocol { get; }
    public DateTimeOffset ConnectedAt { get; }
    public ILogger Log { get; }
    public IWebSocketRoute Route { get; }

    /// <summary>Fires once the connection is gone; commands of this connection watch it.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>True once a close frame has gone out; no data frame may follow it (RFC 6455 5.5.1).</summary>
    public bool CloseSent => _sender.CloseSent;

    private LimitsOptions Limits => _options.Current.Limits;

    /// <summary>
    /// Sends the 101 response, then runs until the close handshake completes, the peer disappears or the connection
    /// is aborted.
    /// </summary>
    /// <param name="switchingProtocols">The 101 response head.</param>
    public async Task RunAsync(ReadOnlyMemory<byte> switchingProtocols)
    {
        bool upgraded = false;
        try
        {
            // The 101 is queued before the route learns of the connection, so whatever the route sends right away
            // (a broadcast, say) follows it on the wire and cannot miss this client.
            _sender.QueueRaw(switchingProtocols.Span);
            await Route.OnOpenAsync(this);
            await _sender.FlushAsync();
            upgraded = !_transport.IsAborted;
            await ReceiveLoopAsync();
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            // Close timeout or abort: nothing more to say to this peer.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            Log.Debug(ex, "Connection {SessionId} lost", Id);
        }
        catch (Exception ex)
        {
            // A bug on our side must cost this connection only, and say so.
            Log.Error(ex, "Connection {SessionId} failed", Id);
            if (upgraded)
            {
                await SendCloseAsync(CloseStatus.InternalError, "internal error");
            }
        }
        finally
        {
            await ShutdownAsync();
        }
    }

    public ValueTask SendAsync(Opcode opcode, ReadOnlyMemory<byte> payload) => _sender.SendAsync(opcode, payload.Span);

    public ValueTask SendTextAsync(string text) => _sender.SendTextAsync(text);

    /// <summary>Sends a frame encoded once for many connections.</summary>
    public ValueTask SendAsync(EncodedFrame frame) => _sender.SendAsync(frame);

    /// <summary>Holds sends back until the matching <see cref="UncorkAsync"/>, so they leave together (see <see cref="FrameSender"/>).</summary>
    public void Cork() => _sender.Cork();

    public ValueTask UncorkAsync() => _sender.UncorkAsync();

    /// <summary>
    /// Starts the close handshake: sends a close frame (once) and waits for the peer's answer for at most
    /// <see cref="LimitsOptions.CloseTimeoutSeconds"/> before dropping TCP.
    /// </summary>
    public async ValueTask CloseAsync(int code, string? reason)
    {
        if (await SendCloseAsync(code, reason))
        {
            CancelAfter(_aborted, TimeSpan.FromSeconds(Limits.CloseTimeoutSeconds));
        }
    }

    /// <summary>
    /// Called about once a second by the server: closes an idle connection, pings a quiet one, and drops one that did
    /// not answer its ping in time (a peer that vanished without a FIN would otherwise hold its slot forever).
    /// </summary>
    public void CheckLiveness(long now)
    {
        if (CloseSent)
        {
            return;
        }

        switch (_liveness.Check(now, Limits))
        {
            case LivenessAction.CloseIdle:
                Log.Information("Closing {SessionId}: no message for {IdleTimeoutSeconds} s", Id, Limits.IdleTimeoutSeconds);
                _ = CloseAsync(CloseStatus.GoingAway, "idle timeout").AsTask();
                break;
            case LivenessAction.Drop:
                Log.Information("Dropping {SessionId}: no answer to a keepalive ping within {KeepAliveTimeoutSeconds} s", Id, Limits.KeepAliveTimeoutSeconds);
                Abort();
                break;
            case LivenessAction.Ping:
                _ = SendAsync(Opcode.Ping, ReadOnlyMemory<byte>.Empty).AsTask();
                break;
        }
    }

    /// <summary>Drops the connection without a close frame (the peer cannot be written to).</summary>
    public void Abort()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already shut down.
        }

        _transport.Abort();
    }

    private async Task ReceiveLoopAsync()
    {
        var input = _transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(_aborted.Token);
            var buffer = result.Buffer;
            if (!buffer.IsEmpty)
            {
                _liveness.OnBytesReceived(Environment.TickCount64);
            }

            // Corked while working through this read: the replies to all its messages go out in one send.
            _sender.Cork();
            bool corked = true;
            try
            {
                while (true)
                {
                    var status = _assembler.TryAssemble(ref buffer, Limits.MaxMessageBytes, out var error);
                    if (status == AssembleStatus.NeedMoreData)
                    {
                        break;
                    }

                    if (status == AssembleStatus.Error)
                    {
                        QueueFailure(error);
                        return;
                    }

                    if (status == AssembleStatus.Control)
                    {
                        if (!HandleControlFrame())
                        {
                            return;
                        }

                        continue;
                    }

                    var delivered = DeliverMessageAsync();
                    if (!delivered.IsCompleted)
                    {
                        // The route is waiting (a full command queue): what is queued must not wait with it.
                        corked = false;
                        await _sender.UncorkAsync();
                        await delivered;
                        _sender.Cork();
                        corked = true;
                    }
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

            // Hold no buffer while waiting for the next bytes (unless a message is half received).
            _assembler.ReleaseBuffers();
            if (result.IsCompleted || result.IsCanceled)
            {
                // TCP closed without a close frame: 1006 for the application, nothing to send.
                return;
            }
        }
    }

    private ValueTask DeliverMessageAsync()
    {
        var message = _assembler.Message;
        _liveness.OnMessage(Environment.TickCount64);
        _metrics.MessageReceived(message.Length);
        return CloseSent ? ValueTask.CompletedTask : Route.OnMessageAsync(this, _assembler.MessageOpcode, message);
    }

    /// <returns>False when the receive loop should end (the close handshake is done).</returns>
    private bool HandleControlFrame()
    {
        var payload = _assembler.Control;
        switch (_assembler.ControlOpcode)
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

                // Echo the peer's code (RFC 6455 5.5.1); an empty close is answered with an empty close.
                _sender.TryQueueClose(code == CloseStatus.NoStatusReceived ? null : code, null);
                Log.Debug("Connection {SessionId} closed by peer with {CloseCode}", Id, code);
                return false;
        }
    }

    private void QueueFailure(FrameError error)
    {
        int code = CloseStatus.ForError(error);
        string reason = CloseStatus.Describe(error);
        Log.Information("Closing {SessionId} with {CloseCode}: {Reason}", Id, code, reason);
        _sender.TryQueueClose(code, reason);
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
        if (CloseSent && !_aborted.IsCancellationRequested)
        {
            await _transport.CloseAsync(TimeSpan.FromSeconds(Limits.CloseTimeoutSeconds), _aborted.Token);
        }

        Abort();
        _closed.Cancel();
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
        _assembler.Dispose();
    }

    private static void CancelAfter(CancellationTokenSource source, TimeSpan delay)
    {
        try
        {
            source.CancelAfter(delay);
        }
        catch (ObjectDisposedException)
        {
            // Already shut down.
        }
    }
}
