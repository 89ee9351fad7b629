namespace WsGateway.Protocol;

/// <summary>
/// Fragmentation sequencing for one connection (RFC 6455 5.4): pure logic over frame headers, no buffers.
/// </summary>
/// <remarks>
/// Protocol: call <see cref="OnDataFrame"/> once for every Text, Binary or Continuation header, as soon as the header
/// is read and before its payload is consumed; never call it for control frames, which may interleave a fragmented
/// message and do not change this state. When it returns <see cref="FrameError.None"/>:
/// <list type="bullet">
/// <item><see cref="MessageOpcode"/> is the opcode of the message this frame belongs to (Text or Binary, also for
/// continuations) and <see cref="MessageLength"/> the message's payload bytes including this frame.</item>
/// <item>If the header has FIN, the message ends with this frame: <see cref="InMessage"/> is already false and the next
/// data frame must start a new message. <see cref="MessageOpcode"/> and <see cref="MessageLength"/> keep describing
/// the message that just ended until then. No separate "complete" call is needed.</item>
/// <item>Otherwise <see cref="InMessage"/> is true and the next data frame must be a continuation.</item>
/// </list>
/// When it returns an error the state is unchanged; the connection is expected to close.
/// </remarks>
public struct MessageState
{
    private bool _inMessage;
    private Opcode _messageOpcode;
    private long _messageLength;

    /// <summary>A fragmented message is in progress: the last data frame had no FIN.</summary>
    public readonly bool InMessage => _inMessage;

    /// <summary>Text or Binary: the message in progress, or the one that just ended.</summary>
    public readonly Opcode MessageOpcode => _messageOpcode;

    /// <summary>Payload bytes of the current message so far, including the last accepted frame.</summary>
    public readonly long MessageLength => _messageLength;

    /// <summary>
    /// Accounts for one data frame header. The size limit is checked from the header, before any payload arrives.
    /// </summary>
    /// <param name="header">A Text, Binary or Continuation header.</param>
    /// <param name="maxMessageBytes">Largest allowed message payload, inclusive.</param>
    /// <returns>
    /// <see cref="FrameError.None"/>, <see cref="FrameError.UnexpectedContinuation"/>,
    /// <see cref="FrameError.ExpectedContinuation"/> or <see cref="FrameError.MessageTooBig"/>.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="header"/> is not a data frame.</exception>
    public FrameError OnDataFrame(in FrameHeader header, long maxMessageBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxMessageBytes);
        long alreadyReceived;
        switch (header.Opcode)
        {
            case Opcode.Continuation:
                if (!_inMessage)
                {
                    return FrameError.UnexpectedContinuation;
                }

                alreadyReceived = _messageLength;
                break;
            case Opcode.Text or Opcode.Binary:
                if (_inMessage)
                {
                    return FrameError.ExpectedContinuation;
                }

                alreadyReceived = 0;
                break;
            default:
                throw new ArgumentException($"Only data frames are sequenced, not {header.Opcode}.", nameof(header));
        }

        // Written as a subtraction so two huge 63-bit lengths cannot overflow.
        if (header.PayloadLength > maxMessageBytes - alreadyReceived)
        {
            return FrameError.MessageTooBig;
        }

        if (header.Opcode != Opcode.Continuation)
        {
            _messageOpcode = header.Opcode;
        }

        _messageLength = alreadyReceived + header.PayloadLength;
        _inMessage = !header.Fin;
        return FrameError.None;
    }

    /// <summary>Forgets any message in progress.</summary>
    public void Reset() => this = default;
}
