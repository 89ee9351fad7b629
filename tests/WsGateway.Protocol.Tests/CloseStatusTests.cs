using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class CloseStatusTests
{
    [Theory]
    [InlineData(1000)]
    [InlineData(1001)]
    [InlineData(1002)]
    [InlineData(1003)]
    [InlineData(1007)]
    [InlineData(1008)]
    [InlineData(1009)]
    [InlineData(1010)]
    [InlineData(1011)]
    [InlineData(1012)]
    [InlineData(1013)]
    [InlineData(1014)]
    [InlineData(3000)]
    [InlineData(3999)]
    [InlineData(4000)]
    [InlineData(4999)]
    public void Codes_allowed_on_the_wire_are_valid(int code)
    {
        Assert.True(CloseStatus.IsValidOnWire(code));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1004)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(1016)]
    [InlineData(1100)]
    [InlineData(2000)]
    [InlineData(2999)]
    [InlineData(5000)]
    [InlineData(65535)]
    [InlineData(-1)]
    public void Reserved_local_only_and_unassigned_codes_are_invalid(int code)
    {
        Assert.False(CloseStatus.IsValidOnWire(code));
    }

    [Fact]
    public void Empty_payload_means_no_status_received()
    {
        Assert.True(CloseStatus.TryParsePayload([], out int code, out var reason, out var error));

        Assert.Equal(CloseStatus.NoStatusReceived, code);
        Assert.True(reason.IsEmpty);
        Assert.Equal(FrameError.None, error);
    }

    [Fact]
    public void Code_only_payload_parses_with_an_empty_reason()
    {
        Assert.True(CloseStatus.TryParsePayload([0x03, 0xE8], out int code, out var reason, out _));

        Assert.Equal(1000, code);
        Assert.True(reason.IsEmpty);
    }

    [Fact]
    public void Code_and_utf8_reason_parse()
    {
        byte[] payload = [0x0F, 0xA0, .. "bye κόσμε"u8];

        Assert.True(CloseStatus.TryParsePayload(payload, out int code, out var reason, out _));

        Assert.Equal(4000, code);
        Assert.Equal("bye κόσμε", Encoding.UTF8.GetString(reason));
    }

    [Fact]
    public void One_byte_payload_fails_with_InvalidClosePayload()
    {
        Assert.False(CloseStatus.TryParsePayload([0x03], out _, out _, out var error));

        Assert.Equal(FrameError.InvalidClosePayload, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(2000)]
    [InlineData(5000)]
    [InlineData(65535)]
    public void Invalid_code_fails_with_InvalidClosePayload(int code)
    {
        byte[] payload = [(byte)(code >> 8), (byte)code, (byte)'x'];

        Assert.False(CloseStatus.TryParsePayload(payload, out _, out _, out var error));

        Assert.Equal(FrameError.InvalidClosePayload, error);
    }

    [Fact]
    public void Reason_that_is_not_utf8_fails_with_InvalidCloseReason()
    {
        byte[] payload = [0x03, 0xE8, 0xCE, 0xBA, 0xED, 0xA0, 0x80];

        Assert.False(CloseStatus.TryParsePayload(payload, out _, out _, out var error));

        Assert.Equal(FrameError.InvalidCloseReason, error);
    }

    [Fact]
    public void Written_payload_is_the_big_endian_code_and_the_utf8_reason()
    {
        var buffer = new byte[CloseStatus.MaxPayloadBytes];

        int written = CloseStatus.WritePayload(buffer, CloseStatus.GoingAway, "shutdown");

        Assert.Equal([0x03, 0xE9, .. "shutdown"u8], buffer[..written]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Missing_reason_writes_only_the_code(string? reason)
    {
        var buffer = new byte[2];

        Assert.Equal(2, CloseStatus.WritePayload(buffer, CloseStatus.NormalClosure, reason));
        Assert.Equal([0x03, 0xE8], buffer);
    }

    [Fact]
    public void Long_ascii_reason_is_cut_to_123_bytes()
    {
        var buffer = new byte[CloseStatus.MaxPayloadBytes];

        int written = CloseStatus.WritePayload(buffer, CloseStatus.PolicyViolation, new string('a', 500));

        Assert.Equal(125, written);
    }

    [Theory]
    [InlineData("€", 3)]
    [InlineData("κ", 2)]
    [InlineData("𝄞", 4)]
    public void Long_multibyte_reason_is_cut_at_a_code_point_boundary(string symbol, int bytesPerSymbol)
    {
        var buffer = new byte[CloseStatus.MaxPayloadBytes];
        string reason = "ab" + string.Concat(Enumerable.Repeat(symbol, 100));

        int written = CloseStatus.WritePayload(buffer, CloseStatus.NormalClosure, reason);

        int expectedReason = 2 + ((CloseStatus.MaxReasonBytes - 2) / bytesPerSymbol * bytesPerSymbol);
        Assert.Equal(2 + expectedReason, written);
        Assert.True(CloseStatus.TryParsePayload(buffer.AsSpan(0, written), out _, out var parsedReason, out _));
        Assert.StartsWith("ab" + symbol, Encoding.UTF8.GetString(parsedReason), StringComparison.Ordinal);
    }

    [Fact]
    public void Written_payload_round_trips_through_the_parser()
    {
        var buffer = new byte[CloseStatus.MaxPayloadBytes];
        int written = CloseStatus.WritePayload(buffer, 4321, "room closed");

        Assert.True(CloseStatus.TryParsePayload(buffer.AsSpan(0, written), out int code, out var reason, out _));

        Assert.Equal(4321, code);
        Assert.Equal("room closed", Encoding.UTF8.GetString(reason));
    }

    [Theory]
    [InlineData(1005)]
    [InlineData(1006)]
    [InlineData(1015)]
    [InlineData(999)]
    public void Codes_that_must_not_be_sent_are_refused_by_the_writer(int code)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CloseStatus.WritePayload(new byte[125], code, null));
    }

    [Fact]
    public void Destination_too_small_for_the_reason_is_refused()
    {
        Assert.Throws<ArgumentException>(() => CloseStatus.WritePayload(new byte[5], 1000, "too long"));
    }

    [Theory]
    [InlineData(FrameError.InvalidUtf8, 1007)]
    [InlineData(FrameError.InvalidCloseReason, 1007)]
    [InlineData(FrameError.MessageTooBig, 1009)]
    [InlineData(FrameError.MemoryBudgetExceeded, 1013)]
    [InlineData(FrameError.ReservedBitsSet, 1002)]
    [InlineData(FrameError.ReservedOpcode, 1002)]
    [InlineData(FrameError.UnmaskedFrame, 1002)]
    [InlineData(FrameError.ControlFrameTooLong, 1002)]
    [InlineData(FrameError.ControlFrameFragmented, 1002)]
    [InlineData(FrameError.PayloadLengthOutOfRange, 1002)]
    [InlineData(FrameError.UnexpectedContinuation, 1002)]
    [InlineData(FrameError.ExpectedContinuation, 1002)]
    [InlineData(FrameError.InvalidClosePayload, 1002)]
    public void Each_error_maps_to_its_close_code(FrameError error, int code)
    {
        Assert.Equal(code, CloseStatus.ForError(error));
    }

    [Fact]
    public void No_error_has_no_close_code()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CloseStatus.ForError(FrameError.None));
    }

    [Fact]
    public void Every_error_has_a_distinct_description_that_fits_a_close_reason()
    {
        var descriptions = Enum.GetValues<FrameError>().Select(CloseStatus.Describe).ToList();

        Assert.All(descriptions, d => Assert.InRange(Encoding.UTF8.GetByteCount(d), 1, CloseStatus.MaxReasonBytes));
        Assert.Equal(descriptions.Count, descriptions.Distinct().Count());
    }

    [Fact]
    public void Message_too_big_reason_names_the_limit_and_other_reasons_do_not_change()
    {
        Assert.Equal("Message larger than the limit of 16777216 bytes", CloseStatus.DescribeWithLimit(FrameError.MessageTooBig, 16 * 1024 * 1024));
        Assert.Equal(CloseStatus.Describe(FrameError.InvalidUtf8), CloseStatus.DescribeWithLimit(FrameError.InvalidUtf8, 1024));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(CloseStatus.DescribeWithLimit(FrameError.MessageTooBig, long.MaxValue)) <= CloseStatus.MaxReasonBytes);
    }
}
