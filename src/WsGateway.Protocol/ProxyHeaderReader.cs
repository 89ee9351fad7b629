using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace WsGateway.Protocol;

/// <summary>
/// Parses the PROXY protocol header, v1 (text) or v2 (binary), that a load balancer sends before the client's bytes
/// (HAProxy's <c>send-proxy</c> / <c>send-proxy-v2</c>, cloud load balancers), as specified in
/// haproxy.org/download/2.6/doc/proxy-protocol.txt. Pure: no I/O; the caller consumes <c>length</c> bytes.
/// </summary>
public static class ProxyHeaderReader
{
    /// <summary>The longest valid v1 line, CRLF included (section 2.1).</summary>
    public const int MaxV1Length = 107;

    /// <summary>The fixed part of a v2 header: signature, version and command, family, length (section 2.2).</summary>
    public const int V2FixedLength = 16;

    /// <summary>The longest v2 header: the fixed part and a 16-bit length of addresses and TLVs.</summary>
    public const int MaxV2Length = V2FixedLength + ushort.MaxValue;

    private static ReadOnlySpan<byte> V1Prefix => "PROXY "u8;

    private static ReadOnlySpan<byte> V2Signature => [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    /// <summary>
    /// Parses one header at the start of <paramref name="buffer"/>. A prefix of a valid header is
    /// <see cref="ProxyHeaderStatus.NeedMoreData"/>; bytes that cannot start one are
    /// <see cref="ProxyHeaderError.NotProxyHeader"/> as soon as the first wrong byte is there.
    /// </summary>
    /// <param name="buffer">Bytes received so far from the first byte of the connection; may span segments.</param>
    /// <param name="header">The header on <see cref="ProxyHeaderStatus.Complete"/>, otherwise default.</param>
    /// <param name="length">On <see cref="ProxyHeaderStatus.Complete"/>, the header's length in bytes (TLVs included); otherwise 0.</param>
    /// <param name="error">Why the bytes are invalid on <see cref="ProxyHeaderStatus.Error"/>, otherwise <see cref="ProxyHeaderError.None"/>.</param>
    public static ProxyHeaderStatus TryRead(in ReadOnlySequence<byte> buffer, out ProxyHeader header, out int length, out ProxyHeaderError error)
    {
        header = default;
        length = 0;
        error = ProxyHeaderError.None;

        Span<byte> start = stackalloc byte[V2FixedLength];
        int available = (int)Math.Min(buffer.Length, V2FixedLength);
        start = start[..available];
        buffer.Slice(0, available).CopyTo(start);
        if (available == 0)
        {
            return ProxyHeaderStatus.NeedMoreData;
        }

        if (start[0] == V2Signature[0])
        {
            int compared = Math.Min(available, V2Signature.Length);
            if (!start[..compared].SequenceEqual(V2Signature[..compared]))
            {
                error = ProxyHeaderError.NotProxyHeader;
                return ProxyHeaderStatus.Error;
            }

            return available < V2FixedLength
                ? ProxyHeaderStatus.NeedMoreData
                : ReadV2(buffer, start, out header, out length, out error);
        }

        int prefix = Math.Min(available, V1Prefix.Length);
        if (!start[..prefix].SequenceEqual(V1Prefix[..prefix]))
        {
            error = ProxyHeaderError.NotProxyHeader;
            return ProxyHeaderStatus.Error;
        }

        return available < V1Prefix.Length ? ProxyHeaderStatus.NeedMoreData : ReadV1(buffer, out header, out length, out error);
    }

    /// <summary>
    /// Whether <paramref name="buffer"/> starts like a PROXY header (v1 prefix or v2 signature, as far as it goes): what
    /// a peer that may not send one must not send either.
    /// </summary>
    public static bool StartsLikeProxyHeader(in ReadOnlySequence<byte> buffer) =>
        !buffer.IsEmpty && (TryRead(buffer, out _, out _, out var error) != ProxyHeaderStatus.Error || error != ProxyHeaderError.NotProxyHeader);

    private static ProxyHeaderStatus ReadV1(in ReadOnlySequence<byte> buffer, out ProxyHeader header, out int length, out ProxyHeaderError error)
    {
        header = default;
        length = 0;
        error = ProxyHeaderError.None;
        var window = buffer.Length > MaxV1Length ? buffer.Slice(0, MaxV1Length) : buffer;
        if (window.PositionOf((byte)'\n') is not { } newline)
        {
            if (buffer.Length >= MaxV1Length)
            {
                error = ProxyHeaderError.V1LineTooLong;
                return ProxyHeaderStatus.Error;
            }

            return ProxyHeaderStatus.NeedMoreData;
        }

        int lineLength = (int)window.Slice(0, newline).Length + 1;
        Span<byte> line = stackalloc byte[MaxV1Length];
        line = line[..lineLength];
        window.Slice(0, lineLength).CopyTo(line);
        if (line[^2] != (byte)'\r' || line[^3] == (byte)' ')
        {
            error = ProxyHeaderError.V1Malformed;
            return ProxyHeaderStatus.Error;
        }

        // "PROXY " PROTO [" " SRC " " DST " " SPORT " " DPORT] CRLF, fields separated by exactly one space.
        ReadOnlySpan<byte> rest = line[V1Prefix.Length..^2];
        var protocol = NextField(ref rest);
        if (protocol.SequenceEqual("UNKNOWN"u8))
        {
            // Section 2.1: the receiver ignores whatever follows UNKNOWN on the line.
            header = new ProxyHeader(1, null, null);
            length = lineLength;
            return ProxyHeaderStatus.Complete;
        }

        var family = protocol.SequenceEqual("TCP4"u8) ? AddressFamily.InterNetwork
            : protocol.SequenceEqual("TCP6"u8) ? AddressFamily.InterNetworkV6
            : AddressFamily.Unknown;
        if (family == AddressFamily.Unknown)
        {
            error = protocol.IsEmpty ? ProxyHeaderError.V1Malformed : ProxyHeaderError.V1UnknownProtocol;
            return ProxyHeaderStatus.Error;
        }

        var sourceText = NextField(ref rest);
        var destinationText = NextField(ref rest);
        var sourcePortText = NextField(ref rest);
        var destinationPortText = NextField(ref rest);
        if (destinationPortText.IsEmpty || !rest.IsEmpty)
        {
            error = ProxyHeaderError.V1Malformed;
            return ProxyHeaderStatus.Error;
        }

        if (!TryParseAddress(sourceText, family, out var source) || !TryParseAddress(destinationText, family, out var destination))
        {
            error = ProxyHeaderError.V1BadAddress;
            return ProxyHeaderStatus.Error;
        }

        if (!TryParsePort(sourcePortText, out int sourcePort) || !TryParsePort(destinationPortText, out int destinationPort))
        {
            error = ProxyHeaderError.V1BadPort;
            return ProxyHeaderStatus.Error;
        }

        header = new ProxyHeader(1, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        length = lineLength;
        return ProxyHeaderStatus.Complete;
    }

    private static ProxyHeaderStatus ReadV2(
        in ReadOnlySequence<byte> buffer, ReadOnlySpan<byte> start, out ProxyHeader header, out int length, out ProxyHeaderError error)
    {
        header = default;
        length = 0;
        error = ProxyHeaderError.None;
        int version = start[12] >> 4;
        int command = start[12] & 0x0F;
        int family = start[13] >> 4;
        int addressLength = BinaryPrimitives.ReadUInt16BigEndian(start[14..]);
        if (version != 2)
        {
            error = ProxyHeaderError.V2UnsupportedVersion;
            return ProxyHeaderStatus.Error;
        }

        if (command > 1)
        {
            error = ProxyHeaderError.V2UnsupportedCommand;
            return ProxyHeaderStatus.Error;
        }

        if (family > 3)
        {
            error = ProxyHeaderError.V2UnsupportedFamily;
            return ProxyHeaderStatus.Error;
        }

        int needed = family switch { 1 => 12, 2 => 36, 3 => 216, _ => 0 };
        if (addressLength < needed)
        {
            error = ProxyHeaderError.V2AddressTooShort;
            return ProxyHeaderStatus.Error;
        }

        int total = V2FixedLength + addressLength;
        if (buffer.Length < total)
        {
            return ProxyHeaderStatus.NeedMoreData;
        }

        length = total;

        // LOCAL (health checks from the proxy itself), UNSPEC and UNIX: keep the connection's addresses (section 2.2).
        if (command == 0 || family is 0 or 3)
        {
            header = new ProxyHeader(2, null, null);
            return ProxyHeaderStatus.Complete;
        }

        Span<byte> addresses = stackalloc byte[36];
        addresses = addresses[..needed];
        buffer.Slice(V2FixedLength, needed).CopyTo(addresses);
        int size = family == 1 ? 4 : 16;
        var source = new IPAddress(addresses[..size]);
        var destination = new IPAddress(addresses.Slice(size, size));
        int sourcePort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size)..]);
        int destinationPort = BinaryPrimitives.ReadUInt16BigEndian(addresses[(2 * size + 2)..]);
        header = new ProxyHeader(2, new IPEndPoint(source, sourcePort), new IPEndPoint(destination, destinationPort));
        return ProxyHeaderStatus.Complete;
    }

    /// <summary>The text up to the next space (consumed with it), or the rest; empty when two spaces meet.</summary>
    private static ReadOnlySpan<byte> NextField(ref ReadOnlySpan<byte> rest)
    {
        int space = rest.IndexOf((byte)' ');
        var field = space < 0 ? rest : rest[..space];
        rest = space < 0 ? [] : rest[(space + 1)..];
        return field;
    }

    private static bool TryParseAddress(ReadOnlySpan<byte> text, AddressFamily family, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.IsEmpty || text.Length > 45)
        {
            return false;
        }

        Span<char> chars = stackalloc char[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            bool allowed = family == AddressFamily.InterNetwork
                ? b is (byte)'.' || char.IsAsciiDigit((char)b)
                : b is (byte)':' or (byte)'.' || char.IsAsciiHexDigit((char)b);
            if (!allowed)
            {
                return false;
            }

            chars[i] = (char)b;
        }

        // IPAddress.TryParse alone also takes "1" as 0.0.0.1: an IPv4 field must be a dotted quad.
        if (family == AddressFamily.InterNetwork && chars.Count('.') != 3)
        {
            return false;
        }

        return IPAddress.TryParse(chars, out address!) && address.AddressFamily == family;
    }

    private static bool TryParsePort(ReadOnlySpan<byte> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            return false;
        }

        foreach (byte b in text)
        {
            if (!char.IsAsciiDigit((char)b))
            {
                return false;
            }

            port = port * 10 + (b - '0');
        }

        return port <= IPEndPoint.MaxPort;
    }
}
