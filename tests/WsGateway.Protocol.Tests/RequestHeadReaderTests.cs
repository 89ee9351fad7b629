using System.Buffers;
using System.Text;

namespace WsGateway.Protocol.Tests;

public sealed class RequestHeadReaderTests
{
    private const string Head = "GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n\r\n";

    [Fact]
    public void Complete_head_reports_its_length_including_the_blank_line()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);

        var status = RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), 8192, out int headLength);

        Assert.Equal(HeadReadStatus.Complete, status);
        Assert.Equal(bytes.Length, headLength);
    }

    [Fact]
    public void Bytes_after_the_head_are_not_counted()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head + "\x81\x85junk");

        RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), 8192, out int headLength);

        Assert.Equal(Head.Length, headLength);
    }

    [Fact]
    public void Head_split_at_every_position_across_segments_is_found()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);
        for (int at = 0; at <= bytes.Length; at++)
        {
            var status = RequestHeadReader.TryFindHead(Sequences.SplitAt(bytes, at), 8192, out int headLength);

            Assert.Equal(HeadReadStatus.Complete, status);
            Assert.Equal(bytes.Length, headLength);
        }
    }

    [Fact]
    public void Head_delivered_one_byte_per_segment_is_found()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);

        var status = RequestHeadReader.TryFindHead(Sequences.ByteByByte(bytes), 8192, out int headLength);

        Assert.Equal(HeadReadStatus.Complete, status);
        Assert.Equal(bytes.Length, headLength);
    }

    [Fact]
    public void Every_incomplete_prefix_needs_more_data()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);
        for (int length = 0; length < bytes.Length; length++)
        {
            var status = RequestHeadReader.TryFindHead(Sequences.ByteByByte(bytes[..length]), 8192, out int headLength);

            Assert.Equal(HeadReadStatus.NeedMoreData, status);
            Assert.Equal(0, headLength);
        }
    }

    [Fact]
    public void Head_of_exactly_the_limit_is_complete()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);

        Assert.Equal(HeadReadStatus.Complete, RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), bytes.Length, out _));
    }

    [Fact]
    public void Head_one_byte_over_the_limit_is_too_large()
    {
        byte[] bytes = Encoding.ASCII.GetBytes(Head);

        var status = RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), bytes.Length - 1, out int headLength);

        Assert.Equal(HeadReadStatus.TooLarge, status);
        Assert.Equal(0, headLength);
    }

    [Fact]
    public void Endless_header_stream_is_too_large_once_the_limit_is_reached()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n" + string.Concat(Enumerable.Repeat("X-Filler: aaaaaaaaaa\r\n", 200)));

        Assert.Equal(HeadReadStatus.NeedMoreData, RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), 8192, out _));
        Assert.Equal(HeadReadStatus.TooLarge, RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), 1024, out _));
    }

    [Fact]
    public void Bare_lf_line_endings_do_not_end_the_head()
    {
        byte[] bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\nHost: a\n\n");

        Assert.Equal(HeadReadStatus.NeedMoreData, RequestHeadReader.TryFindHead(new ReadOnlySequence<byte>(bytes), 8192, out _));
    }
}
