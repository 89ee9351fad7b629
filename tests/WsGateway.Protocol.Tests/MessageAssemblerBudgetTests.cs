using System.Buffers;
using System.Runtime.InteropServices;

namespace WsGateway.Protocol.Tests;

/// <summary>The assembler against an <see cref="IBufferBudget"/>: what it charges, when it gives it back, and a refusal.</summary>
public sealed partial class MessageAssemblerTests
{
    private const int FirstLargeBuffer = 64 * 1024;

    /// <summary>The array behind the message just returned: its length is what the pool holds for it.</summary>
    private static int MessageBufferLength(MessageAssembler assembler) =>
        MemoryMarshal.TryGetArray(assembler.Message, out var segment) ? segment.Array!.Length : 0;

    private static AssembleStatus Feed(MessageAssembler assembler, byte[] bytes, out FrameError error, long max = 1 << 20)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);
        var status = assembler.TryAssemble(ref buffer, max, out error);
        Assert.True(status != AssembleStatus.NeedMoreData || buffer.IsEmpty, "payload bytes are taken as they come");
        return status;
    }

    [Theory]
    [InlineData(1, 16)]
    [InlineData(100, 128)]
    [InlineData(4096, 4096)]
    [InlineData(4097, 8192)]
    public void A_message_is_charged_the_length_of_the_buffer_the_pool_hands_out_until_its_buffers_are_released(int size, int charged)
    {
        var budget = new CountingBudget(1 << 20);
        using var assembler = new MessageAssembler(budget: budget);

        Assert.Equal(AssembleStatus.Message, Feed(assembler, Frame(Opcode.Binary, true, new byte[size]), out _));

        Assert.Equal(charged, budget.Used);
        Assert.Equal(charged, MessageBufferLength(assembler));
        assembler.ReleaseBuffers();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void Control_frames_are_not_charged_so_a_full_budget_still_lets_a_ping_or_close_through()
    {
        var budget = new CountingBudget(0);
        using var assembler = new MessageAssembler(budget: budget);

        Assert.Equal(AssembleStatus.Control, Feed(assembler, Frame(Opcode.Ping, true, new byte[125]), out _));
        Assert.Equal(AssembleStatus.Control, Feed(assembler, Frame(Opcode.Close, true, [0x03, 0xE8]), out _));

        Assert.Equal(0, budget.Refusals);
    }

    [Fact]
    public void Growth_the_budget_refuses_fails_the_message_and_dispose_gives_back_what_it_held()
    {
        // Holds the first 64 KiB buffer of a 100 KB message, not the 128 KiB one it grows into.
        var budget = new CountingBudget(FirstLargeBuffer + 1000);
        var assembler = new MessageAssembler(budget: budget);
        var frame = Frame(Opcode.Binary, true, new byte[100_000]);
        int header = frame.Length - 100_000;

        Assert.Equal(AssembleStatus.NeedMoreData, Feed(assembler, frame[..(header + FirstLargeBuffer)], out _));
        Assert.Equal(FirstLargeBuffer, budget.Used);
        assembler.ReleaseBuffers(); // a message in progress keeps its buffer and its charge
        Assert.Equal(FirstLargeBuffer, budget.Used);
        Assert.Equal(AssembleStatus.Error, Feed(assembler, frame[(header + FirstLargeBuffer)..], out var error));

        Assert.Equal(FrameError.MemoryBudgetExceeded, error);
        Assert.Equal(CloseStatus.TryAgainLater, CloseStatus.ForError(error));
        Assert.Equal(1, budget.Refusals);
        Assert.Equal(FirstLargeBuffer, budget.Used);
        assembler.Dispose();
        Assert.Equal(0, budget.Used);
        assembler.Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void A_message_charges_nothing_before_its_bytes_come()
    {
        // A header claiming the whole limit reserves nothing; the first payload byte reserves the first buffer only.
        var budget = new CountingBudget(FirstLargeBuffer);
        using var assembler = new MessageAssembler(budget: budget);
        var frame = Frame(Opcode.Binary, true, new byte[1 << 20]);
        int header = frame.Length - (1 << 20);

        Assert.Equal(AssembleStatus.NeedMoreData, Feed(assembler, frame[..header], out _));
        Assert.Equal(0, budget.Used);
        Assert.Equal(AssembleStatus.NeedMoreData, Feed(assembler, frame[header..(header + 1)], out _));
        Assert.Equal(FirstLargeBuffer, budget.Used);
    }

    [Fact]
    public void A_refused_first_buffer_fails_at_once_and_leaves_nothing_charged()
    {
        var budget = new CountingBudget(100);
        using var assembler = new MessageAssembler(budget: budget);

        Assert.Equal(AssembleStatus.Error, Feed(assembler, Frame(Opcode.Text, true, new byte[200]), out var error));

        Assert.Equal(FrameError.MemoryBudgetExceeded, error);
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void A_deflated_messages_inflated_buffer_is_charged_in_place_of_the_compressed_one()
    {
        var text = new string('z', 10_000);
        var compressed = Compressed(text);
        var budget = new CountingBudget(1 << 20);
        using var assembler = new MessageAssembler(new MessageInflater(contextTakeover: false), budget);

        Assert.Equal(AssembleStatus.Message, Feed(assembler, Frame(Opcode.Text, true, compressed, rsv1: true), out _));

        Assert.Equal(text.Length, assembler.Message.Length);
        Assert.Equal(MessageBufferLength(assembler), budget.Used);
        Assert.True(budget.Used >= text.Length);
        // While it inflated, the compressed buffer and the growing inflated one were both held, and both charged.
        Assert.True(budget.Peak >= budget.Used + BudgetedPool.RentedLength(compressed.Length), $"peak {budget.Peak}");
        assembler.ReleaseBuffers();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void A_deflated_message_exactly_at_the_limit_is_inflated_into_a_buffer_no_larger_than_the_limit()
    {
        // A limit that is a power of two: a buffer of one byte more would come from the pool's bucket of twice that.
        const int Limit = 64 * 1024;
        var compressed = Compressed(new byte[Limit]);
        var budget = new CountingBudget(1 << 20);
        using var assembler = new MessageAssembler(new MessageInflater(contextTakeover: false), budget);

        Assert.Equal(AssembleStatus.Message, Feed(assembler, Frame(Opcode.Binary, true, compressed, rsv1: true), out _, Limit));

        Assert.Equal(Limit, assembler.Message.Length);
        Assert.Equal(Limit, MessageBufferLength(assembler));
        Assert.True(budget.Peak <= Limit + BudgetedPool.RentedLength(compressed.Length) + Limit / 2, $"peak {budget.Peak}");
    }

    [Fact]
    public void A_deflated_message_whose_inflated_buffer_the_budget_refuses_fails_with_nothing_left_charged()
    {
        // Room for the compressed bytes and a first inflated buffer, not for the 64 KiB the message inflates to.
        var compressed = Compressed(new byte[64 * 1024]);
        var budget = new CountingBudget(32 * 1024);
        var assembler = new MessageAssembler(new MessageInflater(contextTakeover: false), budget);

        Assert.Equal(AssembleStatus.Error, Feed(assembler, Frame(Opcode.Binary, true, compressed, rsv1: true), out var error));

        Assert.Equal(FrameError.MemoryBudgetExceeded, error);
        Assert.True(budget.Peak <= 32 * 1024);
        Assert.Equal(BudgetedPool.RentedLength(compressed.Length), budget.Used);
        assembler.Dispose();
        Assert.Equal(0, budget.Used);
    }

    [Fact]
    public void A_budget_that_refuses_nothing_leaves_every_message_as_without_one()
    {
        var text = string.Concat(Enumerable.Range(0, 20_000).Select(i => $"{i},"));
        byte[] wire = [.. Frame(Opcode.Text, false, "x"u8.ToArray()), .. Frame(Opcode.Continuation, true, System.Text.Encoding.UTF8.GetBytes(text))];
        var budget = new CountingBudget(long.MaxValue);

        var withBudget = Run(new MessageAssembler(budget: budget), [wire[..5], wire[5..70_000], wire[70_000..]], max: 1 << 20);
        var without = Run(new MessageAssembler(), [wire[..5], wire[5..70_000], wire[70_000..]], max: 1 << 20);

        Assert.Equal(without, withBudget);
        Assert.Equal("x" + text, withBudget.Single().Payload);
        Assert.Equal(0, budget.Used);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(0, true)]
    [InlineData(1, false)]
    [InlineData(1, true)]
    [InlineData(16, false)]
    [InlineData(16, true)]
    [InlineData(17, false)]
    [InlineData(17, true)]
    [InlineData(65_536, false)]
    [InlineData(65_536, true)]
    [InlineData(65_537, false)]
    [InlineData(65_537, true)]
    [InlineData(1 << 20, false)]
    [InlineData(1 << 20, true)]
    [InlineData((1 << 20) + 1, false)]
    [InlineData((1 << 20) + 1, true)]
    public void A_buffer_is_exactly_the_length_that_was_charged(int minimumLength, bool poolAnySize)
    {
        // The charge is computed before the rent; this pins that ArrayPool<byte>.Shared agrees with it.
        var budget = new CountingBudget(long.MaxValue);

        Assert.True(BudgetedPool.TryRent(budget, minimumLength, poolAnySize, out var buffer));

        Assert.Equal(buffer.Length, budget.Used);
        Assert.True(buffer.Length >= minimumLength);
        BudgetedPool.Return(budget, buffer, poolAnySize);
        Assert.Equal(0, budget.Used);
    }
}
