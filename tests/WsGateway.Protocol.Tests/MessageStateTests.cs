namespace WsGateway.Protocol.Tests;

public sealed class MessageStateTests
{
    private const long Max = 1000;

    private static FrameHeader Frame(Opcode opcode, bool fin, long payloadLength) =>
        new(fin, false, false, false, opcode, masked: true, maskKey: 1, payloadLength, headerLength: 6);

    [Theory]
    [InlineData(Opcode.Text)]
    [InlineData(Opcode.Binary)]
    public void Unfragmented_message_starts_and_ends_in_one_frame(Opcode opcode)
    {
        var state = new MessageState();

        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(opcode, fin: true, 10), Max));

        Assert.False(state.InMessage);
        Assert.Equal(opcode, state.MessageOpcode);
        Assert.Equal(10, state.MessageLength);
    }

    [Fact]
    public void Fragmented_message_keeps_its_opcode_and_sums_lengths()
    {
        var state = new MessageState();

        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Text, fin: false, 3), Max));
        Assert.True(state.InMessage);
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: false, 4), Max));
        Assert.True(state.InMessage);
        Assert.Equal(Opcode.Text, state.MessageOpcode);
        Assert.Equal(7, state.MessageLength);
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 5), Max));

        Assert.False(state.InMessage);
        Assert.Equal(Opcode.Text, state.MessageOpcode);
        Assert.Equal(12, state.MessageLength);
    }

    [Fact]
    public void Control_frames_between_fragments_leave_the_message_in_progress()
    {
        // RFC 6455 5.4: control frames MAY be injected in the middle of a fragmented message; the caller simply
        // does not pass them to OnDataFrame.
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Binary, fin: false, 3), Max);
        var ping = Frame(Opcode.Ping, fin: true, 2);
        Assert.True(ping.IsControl);

        Assert.True(state.InMessage);
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 3), Max));
        Assert.Equal(Opcode.Binary, state.MessageOpcode);
    }

    [Fact]
    public void Control_frame_passed_to_OnDataFrame_is_a_caller_bug()
    {
        var state = new MessageState();

        Assert.Throws<ArgumentException>(() => state.OnDataFrame(Frame(Opcode.Ping, fin: true, 0), Max));
    }

    [Fact]
    public void Continuation_without_a_message_fails_with_UnexpectedContinuation()
    {
        var state = new MessageState();

        Assert.Equal(FrameError.UnexpectedContinuation, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 1), Max));
    }

    [Fact]
    public void Continuation_after_a_finished_message_fails_with_UnexpectedContinuation()
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Text, fin: false, 1), Max);
        state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 1), Max);

        Assert.Equal(FrameError.UnexpectedContinuation, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 1), Max));
    }

    [Theory]
    [InlineData(Opcode.Text)]
    [InlineData(Opcode.Binary)]
    public void New_data_frame_during_fragmentation_fails_with_ExpectedContinuation(Opcode opcode)
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Text, fin: false, 1), Max);

        Assert.Equal(FrameError.ExpectedContinuation, state.OnDataFrame(Frame(opcode, fin: true, 1), Max));
    }

    [Fact]
    public void Message_of_exactly_the_maximum_is_accepted()
    {
        var state = new MessageState();

        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Binary, fin: true, Max), Max));
    }

    [Fact]
    public void Single_frame_one_byte_over_the_maximum_fails_with_MessageTooBig()
    {
        var state = new MessageState();

        Assert.Equal(FrameError.MessageTooBig, state.OnDataFrame(Frame(Opcode.Binary, fin: true, Max + 1), Max));
    }

    [Fact]
    public void Fragments_summing_to_the_maximum_are_accepted_and_one_more_byte_fails()
    {
        var state = new MessageState();
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Text, fin: false, Max - 1), Max));
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: false, 1), Max));
        Assert.Equal(Max, state.MessageLength);

        Assert.Equal(FrameError.MessageTooBig, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 1), Max));
    }

    [Fact]
    public void Size_limit_applies_per_message_not_per_connection()
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Text, fin: true, Max), Max);

        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Text, fin: true, Max), Max));
    }

    [Fact]
    public void Four_MiB_message_in_64_byte_fragments_is_accepted_at_a_4_MiB_limit()
    {
        const long limit = 4 * 1024 * 1024;
        var state = new MessageState();
        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Binary, fin: false, 64), limit));
        for (long received = 64; received < limit - 64; received += 64)
        {
            Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: false, 64), limit));
        }

        Assert.Equal(FrameError.None, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 64), limit));
        Assert.Equal(limit, state.MessageLength);
        Assert.False(state.InMessage);
    }

    [Fact]
    public void Huge_continuation_lengths_do_not_overflow_past_the_limit()
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Binary, fin: false, long.MaxValue - 10), long.MaxValue);

        Assert.Equal(FrameError.MessageTooBig, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, long.MaxValue), long.MaxValue));
    }

    [Fact]
    public void Rejected_frame_leaves_the_state_unchanged()
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Text, fin: false, 10), Max);

        state.OnDataFrame(Frame(Opcode.Continuation, fin: true, Max), Max);

        Assert.True(state.InMessage);
        Assert.Equal(10, state.MessageLength);
    }

    [Fact]
    public void Reset_forgets_the_message_in_progress()
    {
        var state = new MessageState();
        state.OnDataFrame(Frame(Opcode.Text, fin: false, 10), Max);

        state.Reset();

        Assert.False(state.InMessage);
        Assert.Equal(FrameError.UnexpectedContinuation, state.OnDataFrame(Frame(Opcode.Continuation, fin: true, 1), Max));
    }
}
