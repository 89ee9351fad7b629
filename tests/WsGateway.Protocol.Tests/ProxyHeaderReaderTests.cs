using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class ProxyHeaderReaderTests
{
    private static readonly byte[] Signature = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A];

    private static ProxyHeaderStatus Read(byte[] bytes, out ProxyHeader header, out int length, out ProxyHeaderError error) =>
        ProxyHeaderReader.TryRead(new ReadOnlySequence<byte>(bytes), out header, out length, out error);

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>A v2 header: version 2, the command, the family byte, then the address block and any TLVs.</summary>
    private static byte[] V2(int command, int familyByte, byte[] block)
    {
        var bytes = new byte[16 + block.Length];
        Signature.CopyTo(bytes, 0);
        bytes[12] = (byte)(0x20 | command);
        bytes[13] = (byte)familyByte;
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(14), (ushort)block.Length);
        block.CopyTo(bytes, 16);
        return bytes;
    }

    private static byte[] Inet(string source, string destination, int sourcePort, int destinationPort, int extra = 0)
    {
        var s = IPAddress.Parse(source).GetAddressBytes();
        var d = IPAddress.Parse(destination).GetAddressBytes();
        var block = new byte[s.Length + d.Length + 4 + extra];
        s.CopyTo(block, 0);
        d.CopyTo(block, s.Length);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(2 * s.Length), (ushort)sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(block.AsSpan(2 * s.Length + 2), (ushort)destinationPort);
        return block;
    }

    [Fact]
    public void V1_tcp4_gives_the_client_and_the_proxy_address_and_its_length()
    {
        var line = "PROXY TCP4 192.0.2.7 10.0.0.1 51234 443\r\n";
        var bytes = Ascii(line + "GET / HTTP/1.1\r\n");

        var status = Read(bytes, out var header, out int length, out var error);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(line.Length, length);
        Assert.Equal(1, header.Version);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.7"), 51234), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("10.0.0.1"), 443), header.Destination);
    }

    [Fact]
    public void V1_tcp6_gives_ipv6_addresses()
    {
        var status = Read(Ascii("PROXY TCP6 2001:db8::7 ::1 65535 0\r\n"), out var header, out _, out _);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 65535), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 0), header.Destination);
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n")]
    public void V1_unknown_keeps_the_connection_address(string line)
    {
        var status = Read(Ascii(line), out var header, out int length, out _);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Null(header.Source);
        Assert.Equal(line.Length, length);
    }

    [Fact]
    public void V1_split_at_every_position_needs_more_data_then_completes()
    {
        var bytes = Ascii("PROXY TCP4 192.0.2.7 10.0.0.1 51234 443\r\n");
        for (int at = 0; at < bytes.Length; at++)
        {
            Assert.Equal(ProxyHeaderStatus.NeedMoreData, Read(bytes[..at], out _, out _, out _));
            var status = ProxyHeaderReader.TryRead(Sequences.SplitAt(bytes, at), out var header, out int length, out _);
            Assert.Equal(ProxyHeaderStatus.Complete, status);
            Assert.Equal(bytes.Length, length);
            Assert.Equal(51234, header.Source!.Port);
        }

        Assert.Equal(ProxyHeaderStatus.Complete, ProxyHeaderReader.TryRead(Sequences.ByteByByte(bytes), out _, out _, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n", ProxyHeaderError.NotProxyHeader)]
    [InlineData("PROXZ", ProxyHeaderError.NotProxyHeader)]
    [InlineData("proxy TCP4 1.2.3.4 1.2.3.4 1 2\r\n", ProxyHeaderError.NotProxyHeader)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 \r\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1\r\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 3\r\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY \r\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY UDP4 1.2.3.4 1.2.3.4 1 2\r\n", ProxyHeaderError.V1UnknownProtocol)]
    [InlineData("PROXY TCP4 ::1 1.2.3.4 1 2\r\n", ProxyHeaderError.V1BadAddress)]
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n", ProxyHeaderError.V1BadAddress)]
    [InlineData("PROXY TCP4 1 1.2.3.4 1 2\r\n", ProxyHeaderError.V1BadAddress)]
    [InlineData("PROXY TCP4 1.2.3.4  1.2.3.4 1 2\r\n", ProxyHeaderError.V1Malformed)]
    [InlineData("PROXY TCP4 1.2.3.400 1.2.3.4 1 2\r\n", ProxyHeaderError.V1BadAddress)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 65536 2\r\n", ProxyHeaderError.V1BadPort)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 -1 2\r\n", ProxyHeaderError.V1BadPort)]
    [InlineData("PROXY TCP4 1.2.3.4 1.2.3.4 1 2x\r\n", ProxyHeaderError.V1BadPort)]
    public void Malformed_v1_is_an_error_with_its_reason(string text, ProxyHeaderError expected)
    {
        var status = Read(Ascii(text), out var header, out int length, out var error);

        Assert.Equal(ProxyHeaderStatus.Error, status);
        Assert.Equal(expected, error);
        Assert.Equal(0, length);
        Assert.Null(header.Source);
    }

    [Fact]
    public void V1_without_crlf_within_107_bytes_is_too_long_and_shorter_waits()
    {
        var line = "PROXY UNKNOWN " + new string('x', 120);

        Assert.Equal(ProxyHeaderStatus.NeedMoreData, Read(Ascii(line[..106]), out _, out _, out _));
        Assert.Equal(ProxyHeaderStatus.Error, Read(Ascii(line), out _, out _, out var error));
        Assert.Equal(ProxyHeaderError.V1LineTooLong, error);
    }

    [Fact]
    public void The_longest_valid_v1_line_is_accepted()
    {
        // Section 2.1's worst case.
        var line = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        Assert.Equal(ProxyHeaderReader.MaxV1Length, line.Length);

        Assert.Equal(ProxyHeaderStatus.Complete, Read(Ascii(line), out _, out int length, out _));
        Assert.Equal(107, length);
    }

    [Fact]
    public void V2_proxy_inet_gives_the_client_address()
    {
        var bytes = V2(1, 0x11, Inet("198.51.100.9", "127.0.0.1", 40000, 8080));

        var status = Read([.. bytes, .. "GET"u8], out var header, out int length, out var error);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Equal(ProxyHeaderError.None, error);
        Assert.Equal(2, header.Version);
        Assert.Equal(28, length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("198.51.100.9"), 40000), header.Source);
        Assert.Equal(new IPEndPoint(IPAddress.Loopback, 8080), header.Destination);
    }

    [Fact]
    public void V2_inet6_with_tlvs_skips_the_tlvs()
    {
        var bytes = V2(1, 0x21, Inet("2001:db8::1", "::1", 1, 2, extra: 20));

        var status = Read(bytes, out var header, out int length, out _);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Equal(16 + 36 + 20, length);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), header.Source!.Address);
    }

    [Theory]
    [InlineData(0, 0x11)]
    [InlineData(1, 0x00)]
    [InlineData(1, 0x31)]
    public void V2_local_unspec_and_unix_keep_the_connection_address(int command, int family)
    {
        var block = family switch { 0x11 => Inet("1.2.3.4", "5.6.7.8", 1, 2), 0x31 => new byte[216], _ => [] };

        var status = Read(V2(command, family, block), out var header, out int length, out _);

        Assert.Equal(ProxyHeaderStatus.Complete, status);
        Assert.Null(header.Source);
        Assert.Equal(16 + block.Length, length);
    }

    [Fact]
    public void V2_split_at_every_position_needs_more_data_then_completes()
    {
        var bytes = V2(1, 0x11, Inet("198.51.100.9", "127.0.0.1", 40000, 8080, extra: 3));
        for (int at = 0; at < bytes.Length; at++)
        {
            Assert.Equal(ProxyHeaderStatus.NeedMoreData, Read(bytes[..at], out _, out _, out _));
            var status = ProxyHeaderReader.TryRead(Sequences.SplitAt(bytes, at), out var header, out int length, out _);
            Assert.Equal(ProxyHeaderStatus.Complete, status);
            Assert.Equal(bytes.Length, length);
            Assert.Equal(40000, header.Source!.Port);
        }
    }

    [Fact]
    public void Malformed_v2_is_an_error_with_its_reason()
    {
        var good = V2(1, 0x11, Inet("1.2.3.4", "5.6.7.8", 1, 2));

        var wrongSignature = (byte[])good.Clone();
        wrongSignature[7] = (byte)'X';
        Assert.Equal(ProxyHeaderError.NotProxyHeader, ErrorOf(wrongSignature));

        var version1 = (byte[])good.Clone();
        version1[12] = 0x11;
        Assert.Equal(ProxyHeaderError.V2UnsupportedVersion, ErrorOf(version1));

        Assert.Equal(ProxyHeaderError.V2UnsupportedCommand, ErrorOf(V2(2, 0x11, Inet("1.2.3.4", "5.6.7.8", 1, 2))));
        Assert.Equal(ProxyHeaderError.V2UnsupportedFamily, ErrorOf(V2(1, 0x41, new byte[12])));
        Assert.Equal(ProxyHeaderError.V2AddressTooShort, ErrorOf(V2(1, 0x11, new byte[11])));
        Assert.Equal(ProxyHeaderError.V2AddressTooShort, ErrorOf(V2(1, 0x21, new byte[12])));

        // Errors the fixed part proves are reported before the announced length has arrived.
        Assert.Equal(ProxyHeaderError.V2UnsupportedCommand, ErrorOf(V2(2, 0x11, new byte[12])[..16]));
    }

    [Fact]
    public void Only_a_proxy_header_start_looks_like_one()
    {
        Assert.True(ProxyHeaderReader.StartsLikeProxyHeader(new ReadOnlySequence<byte>("PRO"u8.ToArray())));
        Assert.True(ProxyHeaderReader.StartsLikeProxyHeader(new ReadOnlySequence<byte>(Signature[..4])));
        Assert.True(ProxyHeaderReader.StartsLikeProxyHeader(new ReadOnlySequence<byte>(Ascii("PROXY TCP9 x\r\n"))));
        Assert.False(ProxyHeaderReader.StartsLikeProxyHeader(new ReadOnlySequence<byte>(Ascii("GET / HTTP/1.1\r\n\r\n"))));
        Assert.False(ProxyHeaderReader.StartsLikeProxyHeader(ReadOnlySequence<byte>.Empty));
    }

    [Fact]
    public void Every_truncation_and_single_byte_change_of_a_header_parses_without_throwing()
    {
        byte[][] headers = [Ascii("PROXY TCP4 192.0.2.7 10.0.0.1 51234 443\r\n"), V2(1, 0x21, Inet("2001:db8::1", "::1", 1, 2, extra: 4))];
        foreach (var header in headers)
        {
            for (int i = 0; i < header.Length; i++)
            {
                foreach (byte value in new byte[] { 0x00, 0x0A, 0x0D, 0x20, 0x31, 0x3A, 0xFF })
                {
                    var changed = (byte[])header.Clone();
                    changed[i] = value;
                    var status = Read(changed, out _, out int length, out _);
                    Assert.True(status != ProxyHeaderStatus.Complete || (length > 0 && length <= changed.Length));
                }
            }
        }
    }

    private static ProxyHeaderError ErrorOf(byte[] bytes)
    {
        Assert.Equal(ProxyHeaderStatus.Error, Read(bytes, out _, out _, out var error));
        return error;
    }
}
