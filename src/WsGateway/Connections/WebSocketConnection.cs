using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using Serilog;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>
/// One upgraded connection: a receive loop that parses frames straight out of the input pipe, and a send path that
/// frames messages straight into the output pipe. The route decides what messages mean.
/// </summary>
internal sealed class WebSocketConnection
{
    // Buffers up to this size stay with the connection between messages; larger ones go back to the pool.
    private const int RetainedMessageBuffer = 64 * 1024;
    private const int ControlPayloadMax = 125;

    // Larger frames are written in pool-sized pieces rather than one buffer of their own size.
    private const int ContiguousFrameMax = 1024 * 1024;

    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly LiveOptions _options;
    private readonly IWebSocketRoute _route;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _aborted = new();
    private readonly CancellationTokenSource _closed = new();
    private readonly byte[] _controlPayload = new byte[ControlPayloadMax];

    // Receive state; only the receive loop touches it.
    private FrameHeader _frame;
    private bool _inFrame;
    private long _frameRemaining;
    private int _maskOffset;
    private int _controlLength;
    private MessageState _message;
    private Utf8Validator _utf8;
    private byte[]? _messageBuffer;
    private int _messageLength;

    private readonly GatewayMetrics _metrics;
    private long _pendingSendBytes;
    private long _lastFrameAt = Environment.TickCount64;
    private long _lastMessageAt = Environment.TickCount64;
    private long _pingSentAt;
    private int _closeSent;

    public WebSocketConnection(
        string id, Socket socket, Stream stream, PipeReader input, PipeWriter output, IPEndPoint? remoteEndPoint, string path, string? subprotocol,
        LiveOptions options, IWebSocketRoute route, GatewayMetrics metrics, ILogger log)
    {
        Subprotocol = subprotocol;
        _metrics = metrics;
        Id = id;
        _socket = socket;
        _stream = stream;
        _input = input;
        _output = output;
        RemoteEndPoint = remoteEndPoint;
        Path = path;
        _options = options;
        _route = route;
        Log = log;
        ConnectedAt = DateTimeOffset.UtcNow;
    }

    public string Id { get; }

    private LimitsOptions Limits => _options.Current.Limits;
    public IPEndPoint? RemoteEndPoint { get; }
    public string Path { get; }

    /// <summary>The subprotocol agreed in the handshake, or null.</summary>
    public string? Subprotocol { get; }
    public DateTimeOffset ConnectedAt { get; }
    public ILogger Log { get; }
    public IWebSocketRoute Route => _route;

    /// <summary>Fires once the connection is gone; commands of this connection watch it.</summary>
    public CancellationToken Closed => _closed.Token;

    /// <summary>True once a close frame has gone out; no data frame may follow it (RFC 6455 5.5.1).</summary>
    public bool CloseSent => Volatile.Read(ref _closeSent) != 0;

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
            // The route learns of the connection before the client does, so nothing sent to the client right after
            // its 101 (a broadcast, say) can miss it; the send lock keeps such sends behind the 101 itself.
            await _sendLock.WaitAsync(_aborted.Token);
            try
            {
                await _route.OnOpenAsync(this);
                _output.Write(switchingProtocols.Span);
                await _output.FlushAsync(_aborted.Token);
                upgraded = true;
            }
            finally
            {
                _sendLock.Release();
            }

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

    public ValueTask SendAsync(Opcode opcode, ReadOnlyMemory<byte> payload) =>
        SendFrameAsync(opcode, payload, null, payload.Length);

    public ValueTask SendTextAsync(string text) =>
        SendFrameAsync(Opcode.Text, default, text, Encoding.UTF8.GetByteCount(text));

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

        var limits = Limits;
        if (limits.IdleTimeoutSeconds > 0 && now - Volatile.Read(ref _lastMessageAt) > limits.IdleTimeoutSeconds * 1000)
        {
            Log.Information("Closing {SessionId}: no message for {IdleTimeoutSeconds} s", Id, limits.IdleTimeoutSeconds);
            _ = CloseAsync(CloseStatus.GoingAway, "idle timeout").AsTask();
            return;
        }

        if (limits.KeepAliveSeconds <= 0)
        {
            return;
        }

        long lastFrame = Volatile.Read(ref _lastFrameAt);
        long pingSent = Volatile.Read(ref _pingSentAt);
        if (pingSent > lastFrame)
        {
            if (now - pingSent > limits.KeepAliveTimeoutSeconds * 1000)
            {
                Log.Information("Dropping {SessionId}: no answer to a keepalive ping within {KeepAliveTimeoutSeconds} s", Id, limits.KeepAliveTimeoutSeconds);
                Abort();
            }
        }
        else if (now - lastFrame > limits.KeepAliveSeconds * 1000)
        {
            Volatile.Write(ref _pingSentAt, now);
            _ = SendAsync(Opcode.Ping, ReadOnlyMemory<byte>.Empty).AsTask();
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
    }

    private async Task ReceiveLoopAsync()
    {
        while (true)
        {
            var result = await _input.ReadAsync(_aborted.Token);
            var buffer = result.Buffer;
            try
            {
                while (true)
                {
                    var step = Parse(ref buffer, out var error);
                    if (step == ParseStep.NeedMoreData)
                    {
                        break;
                    }

                    if (step == ParseStep.Failed)
                    {
                        await FailAsync(error);
                        return;
                    }

                    if (step == ParseStep.Message)
                    {
                        await DeliverMessageAsync();
                    }
                    else if (!await HandleControlFrameAsync())
                    {
                        return;
                    }
                }
            }
            finally
            {
                _input.AdvanceTo(buffer.Start, buffer.End);
            }

            if (result.IsCompleted || result.IsCanceled)
            {
                // TCP closed without a close frame: 1006 for the application, nothing to send.
                return;
            }
        }
    }

    private enum ParseStep
    {
        NeedMoreData,
        Message,
        Control,
        Failed,
    }

    /// <summary>
    /// Consumes frame headers and payload bytes as they arrive, unmasking into the message buffer and validating
    /// text as it goes, so invalid UTF-8 fails the connection at the first impossible byte, even mid-frame.
    /// </summary>
    private ParseStep Parse(ref ReadOnlySequence<byte> buffer, out FrameError error)
    {
        error = FrameError.None;
        while (true)
        {
            if (!_inFrame)
            {
                var reader = new SequenceReader<byte>(buffer);
                var status = FrameReader.TryReadHeader(ref reader, requireMask: true, allowRsv1: false, out _frame, out error);
                if (status == FrameReadStatus.NeedMoreData)
                {
                    return ParseStep.NeedMoreData;
                }

                if (status == FrameReadStatus.Error)
                {
                    return ParseStep.Failed;
                }

                buffer = buffer.Slice(reader.Position);
                Volatile.Write(ref _lastFrameAt, Environment.TickCount64);
                if (_frame.IsControl)
                {
                    _controlLength = 0;
                }
                else
                {
                    bool startsMessage = _frame.Opcode != Opcode.Continuation;
                    error = _message.OnDataFrame(in _frame, Limits.MaxMessageBytes);
                    if (error != FrameError.None)
                    {
                        return ParseStep.Failed;
                    }

                    if (startsMessage)
                    {
                        _messageLength = 0;
                        _utf8.Reset();
                    }
                }

                _inFrame = true;
                _frameRemaining = _frame.PayloadLength;
                _maskOffset = 0;
            }

            while (_frameRemaining > 0 && !buffer.IsEmpty)
            {
                var source = buffer.FirstSpan;
                int count = (int)Math.Min(source.Length, _frameRemaining);
                Span<byte> destination;
                if (_frame.IsControl)
                {
                    destination = _controlPayload.AsSpan(_controlLength, count);
                    _controlLength += count;
                }
                else
                {
                    destination = ReserveMessageBytes(count);
                    _messageLength += count;
                }

                source[..count].CopyTo(destination);
                _maskOffset = Masking.Apply(destination, _frame.MaskKey, _maskOffset);
                _frameRemaining -= count;
                buffer = buffer.Slice(count);

                if (!_frame.IsControl && _message.MessageOpcode == Opcode.Text && !_utf8.TryValidate(destination, isFinal: false))
                {
                    error = FrameError.InvalidUtf8;
                    return ParseStep.Failed;
                }
            }

            if (_frameRemaining > 0)
            {
                return ParseStep.NeedMoreData;
            }

            _inFrame = false;
            if (_frame.IsControl)
            {
                return ParseStep.Control;
            }

            if (_frame.Fin)
            {
                if (_message.MessageOpcode == Opcode.Text && !_utf8.TryValidate([], isFinal: true))
                {
                    error = FrameError.InvalidUtf8;
                    return ParseStep.Failed;
                }

                return ParseStep.Message;
            }
        }
    }

    private Span<byte> ReserveMessageBytes(int count)
    {
        int needed = _messageLength + count;
        if (_messageBuffer is null || _messageBuffer.Length < needed)
        {
            // Grow by doubling, but never past the message limit: a 16 MiB claim costs memory only as bytes arrive.
            long doubled = Math.Max(4096, (long)(_messageBuffer?.Length ?? 0) * 2);
            int size = (int)Math.Max(needed, Math.Min(doubled, Limits.MaxMessageBytes));
            var larger = ArrayPool<byte>.Shared.Rent(size);
            if (_messageBuffer is not null)
            {
                _messageBuffer.AsSpan(0, _messageLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_messageBuffer);
            }

            _messageBuffer = larger;
        }

        return _messageBuffer.AsSpan(_messageLength, count);
    }

    private async ValueTask DeliverMessageAsync()
    {
        Volatile.Write(ref _lastMessageAt, Environment.TickCount64);
        _metrics.MessageReceived(_messageLength);
        if (!CloseSent)
        {
            var payload = _messageBuffer is null ? ReadOnlyMemory<byte>.Empty : _messageBuffer.AsMemory(0, _messageLength);
            await _route.OnMessageAsync(this, _message.MessageOpcode, payload);
        }

        _messageLength = 0;
        if (_messageBuffer is { Length: > RetainedMessageBuffer })
        {
            ArrayPool<byte>.Shared.Return(_messageBuffer);
            _messageBuffer = null;
        }
    }

    /// <returns>False when the receive loop should end (the close handshake is done).</returns>
    private async ValueTask<bool> HandleControlFrameAsync()
    {
        var payload = _controlPayload.AsMemory(0, _controlLength);
        switch (_frame.Opcode)
        {
            case Opcode.Ping:
                if (!CloseSent)
                {
                    await SendAsync(Opcode.Pong, payload);
                }

                return true;
            case Opcode.Pong:
                return true;
            default:
                if (!CloseStatus.TryParsePayload(payload.Span, out int code, out _, out var error))
                {
                    await FailAsync(error);
                    return false;
                }

                // Echo the peer's code (RFC 6455 5.5.1); an empty close is answered with an empty close.
                await SendCloseAsync(code == CloseStatus.NoStatusReceived ? null : code, null);
                Log.Debug("Connection {SessionId} closed by peer with {CloseCode}", Id, code);
                return false;
        }
    }

    private async ValueTask FailAsync(FrameError error)
    {
        int code = CloseStatus.ForError(error);
        string reason = CloseStatus.Describe(error);
        Log.Information("Closing {SessionId} with {CloseCode}: {Reason}", Id, code, reason);
        await SendCloseAsync(code, reason);
    }

    /// <returns>True when this call sent the close frame; false when one had already gone out.</returns>
    private async ValueTask<bool> SendCloseAsync(int? code, string? reason)
    {
        if (Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return false;
        }

        var payload = new byte[code is null ? 0 : ControlPayloadMax];
        int length = code is null ? 0 : CloseStatus.WritePayload(payload, code.Value, reason);
        await SendFrameAsync(Opcode.Close, payload.AsMemory(0, length), null, length, isClose: true);
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendFrameAsync(Opcode opcode, ReadOnlyMemory<byte> payload, string? text, int length, bool isClose = false)
    {
        if (!isClose && CloseSent)
        {
            return;
        }

        long waiting = Interlocked.Add(ref _pendingSendBytes, length) - length;
        try
        {
            var limits = Limits;
            if (waiting > limits.SendBufferBytes)
            {
                Log.Warning(
                    "Send buffer of {SessionId} over {SendBufferBytes} bytes (peer not reading); dropping the connection",
                    Id, limits.SendBufferBytes);
                _metrics.SendBufferOverflow();
                Abort();
                return;
            }

            await _sendLock.WaitAsync(_aborted.Token);
            try
            {
                if (!isClose && CloseSent)
                {
                    return;
                }

                WriteFrame(opcode, payload.Span, text, length);

                await _output.FlushAsync(_aborted.Token);
                if (opcode is Opcode.Text or Opcode.Binary)
                {
                    _metrics.MessageSent(length);
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }
        catch (OperationCanceledException) when (_aborted.IsCancellationRequested)
        {
            // The connection is being torn down; the message is dropped with it.
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Log.Debug(ex, "Send to {SessionId} failed", Id);
            Abort();
        }
        finally
        {
            Interlocked.Add(ref _pendingSendBytes, -length);
        }
    }

    /// <summary>
    /// Frames a message into the output pipe. Up to <see cref="ContiguousFrameMax"/> the header and payload go into one
    /// buffer: the stream pipe writer sends each buffer with its own write, so a frame split across two costs two
    /// system calls (measured: a 4 KiB echo took two sends).
    /// </summary>
    private void WriteFrame(Opcode opcode, ReadOnlySpan<byte> payload, string? text, int length)
    {
        if (length <= ContiguousFrameMax)
        {
            var frame = _output.GetSpan(FrameWriter.MaxHeaderLength + length);
            int headerLength = FrameWriter.WriteHeader(frame, opcode, fin: true, length);
            if (text is null)
            {
                payload.CopyTo(frame[headerLength..]);
            }
            else
            {
                Encoding.UTF8.GetBytes(text, frame[headerLength..]);
            }

            _output.Advance(headerLength + length);
            return;
        }

        _output.Advance(FrameWriter.WriteHeader(_output.GetSpan(FrameWriter.MaxHeaderLength), opcode, fin: true, length));
        if (text is null)
        {
            _output.Write(payload);
        }
        else
        {
            _output.Advance(Encoding.UTF8.GetBytes(text, _output.GetSpan(length)));
        }
    }

    private async Task ShutdownAsync()
    {
        if (CloseSent && !_aborted.IsCancellationRequested)
        {
            await Linger.CloseAsync(_socket, TimeSpan.FromSeconds(Limits.CloseTimeoutSeconds), _aborted.Token);
        }

        Abort();
        _closed.Cancel();
        try
        {
            await _route.OnClosedAsync(this);
        }
        catch (Exception ex)
        {
            Log.Error(ex, "Route cleanup for {SessionId} failed", Id);
        }

        // Disposing the stream closes TCP and unblocks any send still waiting on a peer that stopped reading.
        await _stream.DisposeAsync();
        await _sendLock.WaitAsync();
        await _output.CompleteAsync();
        await _input.CompleteAsync();
        if (_messageBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_messageBuffer);
            _messageBuffer = null;
        }
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
