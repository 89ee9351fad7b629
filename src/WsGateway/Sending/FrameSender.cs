using System.Buffers;
using System.Text;
using Serilog;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Sending;

/// <summary>
/// The send side of one WebSocket connection: frames messages into the transport's output and has them sent. Any
/// thread may send (the receive loop, a command, a broadcast); writers take turns under the transport's
/// <see cref="TransportConnection.WriteLock"/>, which covers copying bytes into memory, never I/O. The transport sends
/// whatever has piled up in one system call.
/// </summary>
/// <remarks>
/// <para>The connection's own answers (<see cref="SendAsync(Opcode, ReadOnlySpan{byte})"/>, <see cref="FlushAsync"/>)
/// are sent by the caller when nobody else is sending; fan-out (<see cref="Send(EncodedFrame)"/>) is only queued and
/// scheduled, so a broadcast never waits and each recipient gets the messages of a burst in one system call.</para>
/// <para>Corking: while a <see cref="Cork"/> is held, answers only queue, up to
/// <see cref="TransportConnection.WaitThreshold"/>; the last <see cref="UncorkAsync"/> sends them all at once. The
/// receive loop corks while it works through one read, and a command session while its commands finish without
/// waiting, so the replies to several requests leave together. Past the threshold a flush sends even under a cork and
/// waits for the peer to take the bytes: a command replying in a loop is paced by its client's reading.</para>
/// <para>Bounds: a peer is dropped once more than <see cref="LimitsOptions.SendBufferBytes"/> wait for it behind a
/// send in progress (it stopped reading; nobody waits for it), and every frame is reserved from the gateway's memory
/// budget (<see cref="LimitsOptions.MemoryBudgetBytes"/>) before it is written: a connection whose frame would pass
/// the budget is dropped instead.</para>
/// </remarks>
internal sealed class FrameSender
{
    private readonly TransportConnection _transport;
    private readonly LiveOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _log;
    private readonly string _sessionId;
    private readonly bool _deflate;
    private int _corks;
    private long _messagesOut;
    private long _bytesOut;
    private int _closeSent;
    private bool _stopped;

    /// <param name="log">The server's logger; the session id is added to the (rare) lines this writes.</param>
    /// <param name="deflate">permessage-deflate was negotiated: messages of <c>Compression:MinMessageBytes</c> or more go out compressed.</param>
    public FrameSender(TransportConnection transport, string sessionId, LiveOptions options, GatewayMetrics metrics, ILogger log, bool deflate = false)
    {
        _deflate = deflate;
        _sessionId = sessionId;
        _transport = transport;
        _options = options;
        _metrics = metrics;
        _log = log;
    }

    /// <summary>True once a close frame is queued; no data frame may follow it (RFC 6455 5.5.1).</summary>
    public bool CloseSent => Volatile.Read(ref _closeSent) != 0;

    public ValueTask SendAsync(Opcode opcode, ReadOnlySpan<byte> payload) =>
        TryQueue(opcode, payload) ? FlushAsync() : ValueTask.CompletedTask;

    /// <summary>Encodes <paramref name="text"/> as UTF-8 straight into the output: no intermediate byte array.</summary>
    public ValueTask SendTextAsync(string text) =>
        TryQueueText(text) ? FlushAsync() : ValueTask.CompletedTask;

    /// <summary>
    /// Copies the frame into the output before returning, without sending it: a caller that serializes into a
    /// buffer of its own may reuse the buffer at once, and sends with <see cref="FlushAsync"/> outside its lock.
    /// </summary>
    /// <returns>True when the frame was queued; false when the connection takes no more data.</returns>
    public bool TryQueue(Opcode opcode, ReadOnlySpan<byte> payload) => Write(opcode, payload, null, payload.Length);

    /// <inheritdoc cref="TryQueue"/>
    public bool TryQueueText(string text) => Write(Opcode.Text, default, text, Encoding.UTF8.GetByteCount(text));

    /// <summary>
    /// Queues a frame encoded once for many connections (a broadcast; its bytes are copied as they are) and schedules
    /// its send: never waits, so one slow reader holds up no other recipient.
    /// </summary>
    /// <returns>
    /// True when the frame was queued; false when the connection takes no more data (or was just dropped). The caller
    /// counts the messages sent (<see cref="GatewayMetrics.MessagesSent"/>), once for all recipients.
    /// </returns>
    public bool Send(EncodedFrame frame)
    {
        var wire = ShouldCompress(frame.Opcode, frame.PayloadLength) ? frame.Compressed : frame;
        lock (_transport.WriteLock)
        {
            if (!CanWrite(wire.Opcode, wire.PayloadLength, wire.Bytes.Length))
            {
                return false;
            }

            _transport.Output.Write(wire.Bytes.Span);
            _transport.CommitOutput();
            CountSent(wire.Opcode, frame.PayloadLength);
        }

        _transport.ScheduleSend();
        return true;
    }

    /// <summary>Queues the close frame, once.</summary>
    /// <returns>True when this call queued it; false when one had already been queued.</returns>
    public bool TryQueueClose(int? code, string? reason)
    {
        lock (_transport.WriteLock)
        {
            return QueueClose(code, reason);
        }
    }
    /// <summary>Queues bytes that are not a frame (the 101 response), ahead of everything sent after it.</summary>
    public void QueueRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_transport.WriteLock)
        {
            _transport.Reserve(bytes.Length);
            _transport.Output.Write(bytes);
            _transport.CommitOutput();
        }
    }

    /// <summary>
    /// Sends what is queued, unless a cork is held (its holder sends it) and less than
    /// <see cref="TransportConnection.WaitThreshold"/> waits. Completes when the bytes are handed to the kernel, or at
    /// once when another send in progress takes them; past the threshold, when the peer has taken them.
    /// </summary>
    public ValueTask FlushAsync() =>
        Volatile.Read(ref _corks) == 0 || _transport.UnsentBytes >= TransportConnection.WaitThreshold
            ? _transport.SendAsync()
            : ValueTask.CompletedTask;

    /// <summary>Data messages queued for this connection so far, and their payload bytes (before compression).</summary>
    public (long Messages, long Bytes) Sent => (Volatile.Read(ref _messagesOut), Volatile.Read(ref _bytesOut));

    /// <summary>Call under the write lock, which orders the writers of these two.</summary>
    private void CountSent(Opcode opcode, int length)
    {
        if (opcode is Opcode.Text or Opcode.Binary)
        {
            Volatile.Write(ref _messagesOut, _messagesOut + 1);
            Volatile.Write(ref _bytesOut, _bytesOut + length);
        }
    }

    /// <summary>True once the connection was dropped (the peer is gone, or was cut off): nothing more reaches it.</summary>
    public bool IsGone => _transport.IsAborted;

    public void Cork() => Interlocked.Increment(ref _corks);

    /// <summary>Lets go of a cork; the last one out sends everything queued meanwhile.</summary>
    public ValueTask UncorkAsync() => Interlocked.Decrement(ref _corks) == 0 ? _transport.SendAsync() : ValueTask.CompletedTask;

    /// <summary>Nothing is written after this; the transport may release its output.</summary>
    public void Stop()
    {
        lock (_transport.WriteLock)
        {
            _stopped = true;
        }
    }

    private bool ShouldCompress(Opcode opcode, int length) =>
        _deflate && opcode is Opcode.Text or Opcode.Binary && length >= _options.Current.Compression.MinMessageBytes;

    /// <returns>True when the frame was queued.</returns>
    private bool Write(Opcode opcode, ReadOnlySpan<byte> payload, string? text, int length)
    {
        if (ShouldCompress(opcode, length))
        {
            return WriteCompressed(opcode, payload, text, length);
        }

        lock (_transport.WriteLock)
        {
            if (!CanWrite(opcode, length, FrameLength(length)))
            {
                return false;
            }

            WriteFrame(opcode, payload, text, length);
            _transport.CommitOutput();
            CountSent(opcode, length);
        }

        if (opcode is Opcode.Text or Opcode.Binary)
        {
            _metrics.MessagesSent(1, length);
        }

        return true;
    }

    /// <summary>Compresses outside the lock (it is CPU work, and other writers need not wait for it), then queues.</summary>
    private bool WriteCompressed(Opcode opcode, ReadOnlySpan<byte> payload, string? text, int length)
    {
        byte[]? encoded = null;
        byte[] compressed;
        try
        {
            if (text is not null)
            {
                encoded = ArrayPool<byte>.Shared.Rent(length);
                payload = encoded.AsSpan(0, Encoding.UTF8.GetBytes(text, encoded));
            }

            compressed = MessageDeflater.Compress(payload, out int compressedLength);
            try
            {
                lock (_transport.WriteLock)
                {
                    if (!CanWrite(opcode, compressedLength, FrameLength(compressedLength)))
                    {
                        return false;
                    }

                    WriteFrame(opcode, compressed.AsSpan(0, compressedLength), null, compressedLength, rsv1: true);
                    _transport.CommitOutput();
                    CountSent(opcode, length);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(compressed);
            }
        }
        finally
        {
            if (encoded is not null)
            {
                ArrayPool<byte>.Shared.Return(encoded);
            }
        }

        _metrics.MessagesSent(1, length);
        return true;
    }

    /// <summary>Call under the lock.</summary>
    private bool QueueClose(int? code, string? reason)
    {
        if (_stopped || Interlocked.Exchange(ref _closeSent, 1) != 0)
        {
            return false;
        }

        Span<byte> payload = stackalloc byte[MessageAssembler.ControlPayloadMax];
        int length = code is null ? 0 : CloseStatus.WritePayload(payload, code.Value, reason);

        // A close frame goes out whatever the budget says: it is what ends the connection's use of it.
        _transport.Reserve(FrameLength(length));
        WriteFrame(Opcode.Close, payload[..length], null, length);
        _transport.CommitOutput();
        return true;
    }

    private static long FrameLength(int payloadLength) => FrameWriter.GetHeaderLength(payloadLength, masked: false) + payloadLength;

    /// <summary>Call under the lock. When it returns true, <paramref name="frameLength"/> bytes are reserved: write them.</summary>
    private bool CanWrite(Opcode opcode, int length, long frameLength)
    {
        if (_stopped || _closeSent != 0 || _transport.IsAborted)
        {
            return false;
        }

        // Only bytes queued behind a send in progress wait for the peer; bytes committed since wait for us (a cork, or
        // a scheduled send whose turn has not come), and our own slowness must not cost a client its connection.
        var limits = _options.Current.Limits;
        if (_transport.UnsentBytes > limits.SendBufferBytes && _transport.IsSending)
        {
            _log.Warning(
                "Send buffer of {SessionId} over {SendBufferBytes} bytes (peer not reading); dropping the connection before a {Opcode} frame of {Length} bytes",
                _sessionId, limits.SendBufferBytes, opcode, length);
            _metrics.SendBufferOverflow();
            _transport.Abort();
            return false;
        }

        // Pings and pongs are tiny and keep a connection alive while it waits for the budget: never refused.
        if (opcode is Opcode.Ping or Opcode.Pong)
        {
            _transport.Reserve(frameLength);
            return true;
        }

        if (!_transport.TryReserve(frameLength))
        {
            // Closed rather than dropped, so the client can tell "server busy" from a lost network; the close frame
            // follows what is already queued, and the peer's answer (or the close timeout) ends the connection.
            _log.Warning(
                "Memory budget of {MemoryBudgetBytes} bytes spent; closing {SessionId} with {CloseCode} instead of sending a {Opcode} frame of {Length} bytes",
                limits.MemoryBudgetBytes, _sessionId, CloseStatus.TryAgainLater, opcode, length);
            if (QueueClose(CloseStatus.TryAgainLater, CloseStatus.MemoryBudgetReason))
            {
                _transport.ScheduleSend();
            }

            return false;
        }

        return true;
    }

    /// <summary>Frames a message into the output: header and payload in one span of the output buffer.</summary>
    private void WriteFrame(Opcode opcode, ReadOnlySpan<byte> payload, string? text, int length, bool rsv1 = false)
    {
        var output = _transport.Output;
        var frame = output.GetSpan(FrameWriter.MaxHeaderLength + length);
        int headerLength = FrameWriter.WriteHeader(frame, opcode, fin: true, length, rsv1: rsv1);
        if (text is null)
        {
            payload.CopyTo(frame[headerLength..]);
        }
        else
        {
            Encoding.UTF8.GetBytes(text, frame[headerLength..]);
        }

        output.Advance(headerLength + length);
    }
}
