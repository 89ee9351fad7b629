using System.Buffers;
using System.Text;
using System.Text.Json;
using WsGateway.Commands;

namespace WsGateway.Tests.Commands;

public sealed class CallProtocolTests
{
    [Theory]
    [InlineData("7")]
    [InlineData("9007199254740991")]
    [InlineData("\"a-b_c\"")]
    [InlineData("\"caf\u00e9 \\u00e9\"")]
    [InlineData("\"\\\"quoted\\\"\"")]
    public void The_result_frame_written_by_hand_is_the_one_the_JSON_writer_writes(string id)
    {
        Span<byte> frame = stackalloc byte[256];

        Assert.True(CallProtocol.TryFormatResult(id, frame, out int length));

        Assert.Equal(WrittenByWriter(id), Encoding.UTF8.GetString(frame[..length]));
        using var parsed = JsonDocument.Parse(frame[..length].ToArray());
        Assert.Equal("result", parsed.RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public void An_id_that_may_not_fit_is_left_to_the_JSON_writer()
    {
        var id = "\"" + new string('x', 100) + "\"";

        Assert.False(CallProtocol.TryFormatResult(id, stackalloc byte[64], out _));
    }

    private static string WrittenByWriter(string id)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, CallProtocol.WriterOptions))
        {
            CallProtocol.WriteResult(json, id);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
