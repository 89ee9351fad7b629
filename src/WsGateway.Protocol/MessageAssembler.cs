using System.Buffers;

namespace WsGateway.Protocol;

/// <summary>
/// Turns the bytes a client sends into whole messages and control frames (RFC 6455 5.2-5.6): frame headers,
/// unmasking, fragmentation, the message size limit across fragments, and UTF-8 validation of text as it arrives, so
/// invalid text fails at the first impossible byte, even mid-frame. No I/O: the caller feeds it what it read.
/// </summary>
/// <remarks>
/// Feed <see cref="TryAssemble"/> the buffered bytes; it consumes them (advancing the sequence) until it has a message
/// or a control frame to hand back, needs more bytes, or finds an error. A message stays valid until the next call;
/// a control frame's payload likewise. Control frames may arrive between the fragments of a message, which carries on.
/// Buffers come from <see cref="ArrayPool{T}.Shared"/>, except message buffers that grow past 64 KiB as bytes arrive:
/// those are new arrays left to the GC, which the shared pool would otherwise keep, uncharged, after their message.
/// <see cref="ReleaseBuffers"/> returns them between messages, so an idle connection holds none. Message buffers (also
/// a compressed message's inflated one) are charged to the <see cref="IBufferBudget"/> at their length, before they
/// exist; a refusal fails the message with <see cref="FrameError.MemoryBudgetExceeded"/>. The control frame buffer
/// (128 bytes, held within one read) is not charged: a full budget must not keep a connection from answering a ping or
/// a close.
/// </remarks>
public sealed class MessageAssembler : IDisposable
{
    /// <summary>Largest control frame payload (RFC 6455 5.5).</summary>
    public const int ControlPayloadMax = 125;

    private const int InitialBufferMax = 64 * 1024;

    private readonly MessageInflater? _inflater;
    private readonly IBufferBudget? _budget;
    private FrameHeader _frame;
    private bool _compressed;
    private bool _inFrame;
    private long _frameRemaining;
    private int _maskOffset;
    private MessageState _message;
    private Utf8Validator _utf8;
    private byte[]? _messageBuffer;
    private int _messageLength;

    // The message buffer is the inflater's (pooled at any size), not one grown here.
    private bool _messageBufferInflated;
    private byte[]? _controlBuffer;
    private int _controlLength;

    /// <param name="inflater">
    /// Given when permessage-deflate was negotiated: RSV1 on a message's first frame then marks it compressed, and the
    /// message is inflated before it is checked against the size limit and as UTF-8. Without it RSV1 is an error.
    /// </param>
    /// <param name="budget">What message buffers are charged to; null charges nothing.</param>
    public MessageAssembler(MessageInflater? inflater = null, IBufferBudget? budget = null)
    {
        _inflater = inflater;
        _budget = budget;
    }

    /// <summary>Text or Binary: the opcode of the message just returned.</summary>
    public Opcode MessageOpcode => _message.MessageOpcode;

    /// <summary>The unmasked payload of the message just returned; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Message => _messageBuffer is null ? ReadOnlyMemory<byte>.Empty : _messageBuffer.AsMemory(0, _messageLength);

    /// <summary>Ping, Pong or Close: the opcode of the control frame just returned.</summary>
    public Opcode ControlOpcode => _frame.Opcode;

    /// <summary>The unmasked payload of the control frame just returned; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Control => _controlBuffer is null ? ReadOnlyMemory<byte>.Empty : _controlBuffer.AsMemory(0, _controlLength);

    /// <summary>True while a message or a frame is partly received.</summary>
    public bool InProgress => _inFrame || _message.InMessage;

    /// <summary>Consumes bytes from <paramref name="buffer"/> until a message or control frame is complete.</summary>
    /// <param name="buffer">Received bytes; on return, what was not consumed.</param>
    /// <param name="maxMessageBytes">Largest message payload allowed (checked from each header, before its payload).</param>
    /// <param name="error">Why the bytes are invalid, with <see cref="AssembleStatus.Error"/>.</param>
    public AssembleStatus TryAssemble(ref ReadOnlySequence<byte> buffer, long maxMessageBytes, out FrameError error)
    {
        error = FrameError.None;
        while (true)
        {
            if (!_inFrame)
            {
                var reader = new SequenceReader<byte>(buffer);
                var status = FrameReader.TryReadHeader(ref reader, requireMask: true, allowRsv1: _inflater is not null, out _frame, out error);
                if (status == FrameReadStatus.NeedMoreData)
                {
                    return AssembleStatus.NeedMoreData;
                }

                if (status == FrameReadStatus.Error)
                {
                    return AssembleStatus.Error;
                }

                buffer = buffer.Slice(reader.Position);
                if (!StartFrame(maxMessageBytes, out error))
                {
                    return AssembleStatus.Error;
                }
            }

            if (!ConsumePayload(ref buffer, out error))
            {
                return AssembleStatus.Error;
            }

            if (_frameRemaining > 0)
            {
                return AssembleStatus.NeedMoreData;
            }

            _inFrame = false;
            if (_frame.IsControl)
            {
                return AssembleStatus.Control;
            }

            if (_frame.Fin)
            {
                if (_compressed && !TryInflate(maxMessageBytes, out error))
                {
                    return AssembleStatus.Error;
                }

                if (_message.MessageOpcode == Opcode.Text && !_utf8.TryValidate([], isFinal: true))
                {
                    error = FrameError.InvalidUtf8;
                    return AssembleStatus.Error;
                }

                return AssembleStatus.Message;
            }
        }
    }

    /// <summary>
    /// Returns the buffers to the pool when no message is in progress (call it before waiting for more bytes): an
    /// idle connection holds none. A message or control payload handed out earlier is no longer valid.
    /// </summary>
    public void ReleaseBuffers()
    {
        if (InProgress)
        {
            return;
        }

        ReturnMessageBuffer();
        ReturnControlBuffer();
        _messageLength = 0;
        _controlLength = 0;
    }

    /// <summary>Returns every buffer and the inflater's zlib state, whatever is in progress. May be called again.</summary>
    public void Dispose()
    {
        _inflater?.Dispose();
        ReturnMessageBuffer();
        ReturnControlBuffer();
        _inFrame = false;
        _message.Reset();
    }

    private bool StartFrame(long maxMessageBytes, out FrameError error)
    {
        error = FrameError.None;
        if (_frame.IsControl)
        {
            _controlLength = 0;
        }
        else
        {
            bool startsMessage = _frame.Opcode != Opcode.Continuation;
            error = _message.OnDataFrame(in _frame, maxMessageBytes);
            if (error != FrameError.None)
            {
                return false;
            }

            if (startsMessage)
            {
                _messageLength = 0;
                _utf8.Reset();
                _compressed = _frame.Rsv1;
            }
        }

        _inFrame = true;
        _frameRemaining = _frame.PayloadLength;
        _maskOffset = 0;
        return true;
    }

    private bool ConsumePayload(ref ReadOnlySequence<byte> buffer, out FrameError error)
    {
        error = FrameError.None;
        while (_frameRemaining > 0 && !buffer.IsEmpty)
        {
            var source = buffer.FirstSpan;
            int count = (int)Math.Min(source.Length, _frameRemaining);
            Span<byte> destination;
            if (_frame.IsControl)
            {
                destination = ReserveControlBytes(count);
            }
            else if (!TryReserveMessageBytes(count, announced: _message.MessageLength, out destination))
            {
                error = FrameError.MemoryBudgetExceeded;
                return false;
            }

            source[..count].CopyTo(destination);
            _maskOffset = Masking.Apply(destination, _frame.MaskKey, _maskOffset);
            _frameRemaining -= count;
            buffer = buffer.Slice(count);

            // Compressed text is validated once inflated; plain text fails fast, at the first impossible byte.
            if (!_frame.IsControl && !_compressed && _message.MessageOpcode == Opcode.Text && !_utf8.TryValidate(destination, isFinal: false))
            {
                error = FrameError.InvalidUtf8;
                return false;
            }
        }

        return true;
    }

    /// <summary>Replaces the compressed message in the buffer with its inflated bytes, then validates text whole.</summary>
    private bool TryInflate(long maxMessageBytes, out FrameError error)
    {
        // The inflated buffer comes charged to the budget at its length, like a buffer of ours.
        error = _inflater!.Inflate(Message, maxMessageBytes, _budget, out var inflated, out int length);
        if (error != FrameError.None)
        {
            return false;
        }

        ReturnMessageBuffer();
        _messageBuffer = inflated;
        _messageBufferInflated = true;
        _messageLength = length;
        if (_message.MessageOpcode == Opcode.Text && !_utf8.TryValidate(Message.Span, isFinal: false))
        {
            error = FrameError.InvalidUtf8;
            return false;
        }

        return true;
    }

    private Span<byte> ReserveControlBytes(int count)
    {
        _controlBuffer ??= ArrayPool<byte>.Shared.Rent(ControlPayloadMax);
        var destination = _controlBuffer.AsSpan(_controlLength, count);
        _controlLength += count;
        return destination;
    }

    /// <param name="count">Bytes about to be copied in.</param>
    /// <param name="announced">The message's length as its headers announced so far: never grow past it.</param>
    /// <returns>False when the budget refused the larger buffer the bytes need.</returns>
    private bool TryReserveMessageBytes(int count, long announced, out Span<byte> destination)
    {
        int needed = _messageLength + count;
        if (_messageBuffer is null || _messageBuffer.Length < needed)
        {
            // Up to 64 KiB of what the headers announced is taken at once (one buffer, no copies, for typical
            // messages); past that the buffer grows by doubling as bytes arrive, so a 1 MiB claim costs memory (and
            // budget) only as its bytes come in.
            long doubled = Math.Max(InitialBufferMax, (long)(_messageBuffer?.Length ?? 0) * 2);
            int size = (int)Math.Max(needed, Math.Min(doubled, announced));
            if (!BudgetedPool.TryRent(_budget, size, poolAnySize: false, out var larger))
            {
                destination = default;
                return false;
            }

            if (_messageBuffer is not null)
            {
                _messageBuffer.AsSpan(0, _messageLength).CopyTo(larger);
                ReturnMessageBuffer();
            }

            _messageBuffer = larger;
        }

        destination = _messageBuffer.AsSpan(_messageLength, count);
        _messageLength = needed;
        return true;
    }

    private void ReturnMessageBuffer()
    {
        if (_messageBuffer is not null)
        {
            BudgetedPool.Return(_budget, _messageBuffer, poolAnySize: _messageBufferInflated);
            _messageBuffer = null;
            _messageBufferInflated = false;
        }
    }

    private void ReturnControlBuffer()
    {
        if (_controlBuffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_controlBuffer);
            _controlBuffer = null;
        }
    }
}
