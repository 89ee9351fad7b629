namespace WsGateway.Protocol;

/// <summary>
/// Why received bytes cannot be taken: they break RFC 6455, or (<see cref="MemoryBudgetExceeded"/>) the server cannot
/// hold them now. <see cref="CloseStatus.ForError"/> maps each to the close code to send and
/// <see cref="CloseStatus.Describe"/> to the close reason.
/// </summary>
public enum FrameError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>RSV1-3 set without a negotiated extension that defines them (RFC 6455 5.2).</summary>
    ReservedBitsSet,

    /// <summary>Opcode 3-7 or 11-15.</summary>
    ReservedOpcode,

    /// <summary>A client frame without a mask (RFC 6455 5.1: the server MUST close).</summary>
    UnmaskedFrame,

    /// <summary>A control frame with more than 125 payload bytes (RFC 6455 5.5).</summary>
    ControlFrameTooLong,

    /// <summary>A control frame without FIN (RFC 6455 5.5: control frames MUST NOT be fragmented).</summary>
    ControlFrameFragmented,

    /// <summary>64-bit payload length with the most significant bit set (RFC 6455 5.2).</summary>
    PayloadLengthOutOfRange,

    /// <summary>Continuation frame without a message in progress.</summary>
    UnexpectedContinuation,

    /// <summary>New Text/Binary frame while a fragmented message is in progress.</summary>
    ExpectedContinuation,

    /// <summary>The message is larger than the configured limit (close code 1009).</summary>
    MessageTooBig,

    /// <summary>A text message is not valid UTF-8 (close code 1007).</summary>
    InvalidUtf8,

    /// <summary>A 1-byte close payload, or a close code not allowed on the wire (close code 1002).</summary>
    InvalidClosePayload,

    /// <summary>The close reason is not valid UTF-8 (close code 1007).</summary>
    InvalidCloseReason,

    /// <summary>A permessage-deflate message that does not inflate (close code 1007).</summary>
    InvalidCompressedData,

    /// <summary>
    /// The <see cref="IBufferBudget"/> refused the buffer the message needed to grow (close code 1013): the bytes are
    /// valid, but the connections together already hold what the server allows.
    /// </summary>
    MemoryBudgetExceeded,
}
