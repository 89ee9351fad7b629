using System.Buffers;
using System.Text;
using Serilog;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Sending;

/// <summary>
/// The send side of one WebSocket connection: frames messages into the transport's output pipe and has them sent.
/// Any thread may send (the receive loop, a command, a broadcast); writers take turns under a short lock that covers
/// copying bytes into memory, never I/O. The transport sends whatever has piled up in one system call.
/// </summary>
/// <remarks>
/// <para>Corking: while a <see cref="Cork"/> is held, sends only queue; the last <see cref="UncorkAsync"/> sends them
/// all at once. The receive loop corks while it works through one read, so the replies to all the messages in that
/// read leave together. Hold a cork only across work that does not wait: uncork before awaiting anything else.</para>
/// <para>A peer that does not read is dropped once more than <see cref="LimitsOptions.SendBufferBytes"/> wait for it,
/// so it costs nobody else anything: no sender ever waits for it.</para>
/// </remarks>
internal sealed class FrameSender
{
    // Larger frames are written in pool-sized pieces rather than one buffer of their own size.
    private const int ContiguousFrameMax = 1024 * 1024;

    private readonly TransportConnection _transport;
    private readonly LiveOptions _options;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _log;
    private readonly string _sessionId;
    private readonly Lock _gate = new();
    private readonly bool _deflate;
    private int _corks;
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

    /// <summary>Sends a frame encoded once for many connections (a broadcast): its bytes are copied as they are.</summary>
    public ValueTask SendAsync(EncodedFrame frame)
    {
        var wire = ShouldCompress(frame.Opcode, frame.PayloadLength) ? frame.Compressed : frame;
        lock (_gate)
        {
            if (!CanWrite(wire.Opcode, wire.PayloadLength))
            {
                return ValueTask.CompletedTask;
            }

            _transport.Output.Write(wire.Bytes.Span);
            _transport.CommitOutput();
        }

        _metrics.MessageSent(frame.PayloadLength);
        return FlushAsync();
    }

    /// <summary>Queues the close frame, once.</summary>
    /// <returns>True when this call queued it; false when one had already been queued.</returns>
    public bool TryQueueClose(int? code, string? reason)
    {
        Span<byte> payload = stackalloc byte[MessageAssembler.ControlPayloadMax];
        int length = code is null ? 0 : CloseStatus.WritePayload(payload, code.Value, reason);
        lock (_gate)
        {
            if (_stopped || Interlocked.Exchange(ref _closeSent, 1) != 0)
            {
                return false;
            }

            WriteFrame(Opcode.Close, payload[..length], null, length);
            _transport.CommitOutput();
            return true;
        }
    }

    /// <summary>Queues bytes that are not a frame (the 101 response), ahead of everything sent after it.</summary>
    public void QueueRaw(ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            _transport.Output.Write(bytes);
            _transport.CommitOutput();
        }
    }

    /// <summary>Sends what is queued, unless a cork is held (its holder sends it).</summary>
    public ValueTask FlushAsync() => Volatile.Read(ref _corks) == 0 ? _transport.SendAsync() : ValueTask.CompletedTask;

    public void Cork() => Interlocked.Increment(ref _corks);

    /// <summary>Lets go of a cork; the last one out sends everything queued meanwhile.</summary>
    public ValueTask UncorkAsync() => Interlocked.Decrement(ref _corks) == 0 ? _transport.SendAsync() : ValueTask.CompletedTask;

    /// <summary>Nothing is written after this; the transport may release its output.</summary>
    public void Stop()
    {
        lock (_gate)
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

        lock (_gate)
        {
            if (!CanWrite(opcode, length))
            {
                return false;
            }

            WriteFrame(opcode, payload, text, length);
            _transport.CommitOutput();
        }

        if (opcode is Opcode.Text or Opcode.Binary)
        {
            _metrics.MessageSent(length);
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
                lock (_gate)
                {
                    if (!CanWrite(opcode, compressedLength))
                    {
                        return false;
                    }

                    WriteFrame(opcode, compressed.AsSpan(0, compressedLength), null, compressedLength, rsv1: true);
                    _transport.CommitOutput();
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

        _metrics.MessageSent(length);
        return true;
    }

    /// <summary>Call under the lock.</summary>
    private bool CanWrite(Opcode opcode, int length)
    {
        if (_stopped || _closeSent != 0 || _transport.IsAborted)
        {
            return false;
        }

        // Only bytes queued behind a send in progress wait for the peer; a corked batch waits for us.
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

        return true;
    }

    /// <summary>
    /// Frames a message into the output. Up to <see cref="ContiguousFrameMax"/> the header and payload go into one
    /// span, so a frame never straddles two pipe segments (each segment costs a gather entry, or a TLS record).
    /// </summary>
    private void WriteFrame(Opcode opcode, ReadOnlySpan<byte> payload, string? text, int length, bool rsv1 = false)
    {
        var output = _transport.Output;
        if (length <= ContiguousFrameMax)
        {
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
            return;
        }

        output.Advance(FrameWriter.WriteHeader(output.GetSpan(FrameWriter.MaxHeaderLength), opcode, fin: true, length, rsv1: rsv1));
        if (text is null)
        {
            output.Write(payload);
        }
        else
        {
            output.Advance(Encoding.UTF8.GetBytes(text, output.GetSpan(length)));
        }
    }
}
