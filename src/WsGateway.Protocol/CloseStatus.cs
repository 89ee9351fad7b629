using System.Globalization;
using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace WsGateway.Protocol;

/// <summary>Close codes and close frame payloads (RFC 6455 5.5.1 and 7.4).</summary>
public static class CloseStatus
{
    /// <summary>1000: the purpose of the connection has been fulfilled.</summary>
    public const int NormalClosure = 1000;

    /// <summary>1001: the endpoint is going away (server shutdown, page navigation).</summary>
    public const int GoingAway = 1001;

    /// <summary>1002: the peer broke the protocol.</summary>
    public const int ProtocolError = 1002;

    /// <summary>1003: a data type the endpoint cannot accept.</summary>
    public const int UnsupportedData = 1003;

    /// <summary>1005: reported locally when a close frame had no code; never sent.</summary>
    public const int NoStatusReceived = 1005;

    /// <summary>1006: reported locally when the connection dropped without a close frame; never sent.</summary>
    public const int AbnormalClosure = 1006;

    /// <summary>1007: message data inconsistent with its type (invalid UTF-8 in a text message).</summary>
    public const int InvalidPayloadData = 1007;

    /// <summary>1008: a message violates the endpoint's policy.</summary>
    public const int PolicyViolation = 1008;

    /// <summary>1009: a message too big to process.</summary>
    public const int MessageTooBig = 1009;

    /// <summary>1010: (client) the server did not negotiate a required extension.</summary>
    public const int MandatoryExtension = 1010;

    /// <summary>1011: an unexpected condition on the server.</summary>
    public const int InternalError = 1011;

    /// <summary>1013 "Try Again Later" (IANA registry): the server is overloaded; the client may reconnect later.</summary>
    public const int TryAgainLater = 1013;

    /// <summary>The close reason sent with <see cref="TryAgainLater"/> when the memory budget refused a buffer.</summary>
    public const string MemoryBudgetReason = "server busy: memory budget";

    /// <summary>A close payload is at most 125 bytes (RFC 6455 5.5), 2 of which are the code.</summary>
    public const int MaxReasonBytes = 123;

    /// <summary>Largest close frame payload: code plus <see cref="MaxReasonBytes"/>.</summary>
    public const int MaxPayloadBytes = 2 + MaxReasonBytes;

    // Ranges from RFC 6455 7.4.2 and the IANA "WebSocket Close Code Number Registry": 1004 is reserved, 1005/1006/1015
    // are local-only pseudo codes, 1012-1014 were registered later, 1016-2999 are unassigned, 3000-4999 are for
    // libraries, frameworks and applications.
    private const int FirstRegisteredLibraryCode = 3000;
    private const int LastPrivateUseCode = 4999;

    /// <summary>Whether <paramref name="code"/> may appear in a close frame: 1000-1003, 1007-1014, 3000-4999.</summary>
    public static bool IsValidOnWire(int code) => code switch
    {
        >= NormalClosure and <= UnsupportedData => true,
        >= InvalidPayloadData and <= 1014 => true,
        >= FirstRegisteredLibraryCode and <= LastPrivateUseCode => true,
        _ => false,
    };

    /// <summary>
    /// Parses a received close payload (already unmasked).
    /// </summary>
    /// <param name="payload">0 or 2..125 bytes.</param>
    /// <param name="code">The close code; <see cref="NoStatusReceived"/> when the payload is empty.</param>
    /// <param name="reason">The UTF-8 reason bytes (a slice of <paramref name="payload"/>); empty when there is none or on error.</param>
    /// <param name="error"><see cref="FrameError.InvalidClosePayload"/> or <see cref="FrameError.InvalidCloseReason"/> when false.</param>
    public static bool TryParsePayload(ReadOnlySpan<byte> payload, out int code, out ReadOnlySpan<byte> reason, out FrameError error)
    {
        reason = default;
        error = FrameError.None;
        if (payload.IsEmpty)
        {
            code = NoStatusReceived;
            return true;
        }

        if (payload.Length == 1)
        {
            code = 0;
            error = FrameError.InvalidClosePayload;
            return false;
        }

        code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!IsValidOnWire(code))
        {
            error = FrameError.InvalidClosePayload;
            return false;
        }

        if (!Utf8.IsValid(payload[2..]))
        {
            error = FrameError.InvalidCloseReason;
            return false;
        }

        reason = payload[2..];
        return true;
    }

    /// <summary>
    /// Writes a close payload: the code big-endian, then <paramref name="reason"/> as UTF-8 cut to
    /// <see cref="MaxReasonBytes"/> at a code point boundary (unpaired surrogates become U+FFFD).
    /// </summary>
    /// <param name="destination"><see cref="MaxPayloadBytes"/> (125) always suffices.</param>
    /// <param name="code">A code that <see cref="IsValidOnWire"/> allows.</param>
    /// <param name="reason">Null or empty for no reason.</param>
    /// <returns>Bytes written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="code"/> must not be sent (e.g. 1005, 1006).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> cannot hold the payload.</exception>
    public static int WritePayload(Span<byte> destination, int code, string? reason)
    {
        if (!IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "This close code must not be sent on the wire.");
        }

        int reasonBytes = string.IsNullOrEmpty(reason) ? 0 : Math.Min(MaxReasonBytes, Encoding.UTF8.GetByteCount(reason));
        if (destination.Length < 2 + reasonBytes)
        {
            throw new ArgumentException($"The close payload needs {2 + reasonBytes} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)code);
        if (reasonBytes == 0)
        {
            return 2;
        }

        // The transcoder only writes whole scalars, so DestinationTooSmall leaves a code point boundary behind.
        Utf8.FromUtf16(reason, destination.Slice(2, reasonBytes), out _, out int written, replaceInvalidSequences: true, isFinalBlock: true);
        return 2 + written;
    }

    /// <summary>The close code the server sends for a protocol error it detected.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="error"/> is <see cref="FrameError.None"/>.</exception>
    public static int ForError(FrameError error) => error switch
    {
        FrameError.None => throw new ArgumentOutOfRangeException(nameof(error), error, "No error, no close code."),
        FrameError.InvalidUtf8 or FrameError.InvalidCloseReason or FrameError.InvalidCompressedData => InvalidPayloadData,
        FrameError.MessageTooBig => MessageTooBig,
        FrameError.MemoryBudgetExceeded => TryAgainLater,
        _ => ProtocolError,
    };

    /// <summary>A short human-readable close reason (ASCII, well under <see cref="MaxReasonBytes"/>).</summary>
    /// <param name="error">Why the connection fails.</param>
    /// <param name="maxMessageBytes">The limit in force, named in the reason for <see cref="FrameError.MessageTooBig"/>.</param>
    public static string DescribeWithLimit(FrameError error, long maxMessageBytes) =>
        error == FrameError.MessageTooBig
            ? string.Create(CultureInfo.InvariantCulture, $"Message larger than the limit of {maxMessageBytes} bytes")
            : Describe(error);

    /// <summary>A short human-readable close reason (ASCII, well under <see cref="MaxReasonBytes"/>).</summary>
    public static string Describe(FrameError error) => error switch
    {
        FrameError.None => "No error",
        FrameError.ReservedBitsSet => "Reserved bits set without a negotiated extension",
        FrameError.ReservedOpcode => "Reserved opcode",
        FrameError.UnmaskedFrame => "Client frames must be masked",
        FrameError.ControlFrameTooLong => "Control frame payload longer than 125 bytes",
        FrameError.ControlFrameFragmented => "Control frames must not be fragmented",
        FrameError.PayloadLengthOutOfRange => "Payload length has the most significant bit set",
        FrameError.UnexpectedContinuation => "Continuation frame without a message in progress",
        FrameError.ExpectedContinuation => "New data frame while a fragmented message is in progress",
        FrameError.MessageTooBig => "Message too big",
        FrameError.InvalidUtf8 => "Text message is not valid UTF-8",
        FrameError.InvalidClosePayload => "Invalid close frame payload or close code",
        FrameError.InvalidCloseReason => "Close reason is not valid UTF-8",
        FrameError.InvalidCompressedData => "Compressed message does not inflate",
        FrameError.MemoryBudgetExceeded => MemoryBudgetReason,
        _ => "Protocol error",
    };
}
