using WsGateway.Broadcasting;
using WsGateway.Options;

namespace WsGateway.Tests.Broadcasting;

public sealed class GroupHistoryTests
{
    private long _now = 1_000_000;

    private GroupHistory History(int size = 5, double ttlSeconds = 60) =>
        new(new HistoryGroupOptions { Pattern = "room:*", Size = size, TtlSeconds = ttlSeconds }, () => _now);

    private static BusMessage Message(string text) => new(Audience.Group("room:1"), text, "node-a");

    private static long[] Append(GroupHistory history, params string[] texts) =>
        [.. texts.Select(t => history.AppendThen(Message(t), "e1", m => m.Offset!.Value))];

    [Fact]
    public void Offsets_grow_from_one_and_each_message_is_delivered_with_its_own()
    {
        var history = History();
        Assert.Equal([1L, 2, 3], Append(history, "a", "b", "c"));

        var (entries, last, complete) = history.Since(1, limit: 100);

        Assert.Equal(3, last);
        Assert.True(complete);
        Assert.Equal(["b", "c"], entries.Select(e => e.Message.Text));
        Assert.All(entries, e => Assert.Equal(("e1", e.Offset), (e.Message.Epoch, e.Message.Offset!.Value)));
    }

    [Fact]
    public void Past_its_size_the_oldest_are_dropped_and_a_position_before_them_is_not_complete()
    {
        var history = History(size: 3);
        Append(history, "1", "2", "3", "4", "5");

        var fromStart = history.Since(0, limit: 100);
        Assert.Equal(["3", "4", "5"], fromStart.Entries.Select(e => e.Message.Text));
        Assert.Equal((5L, false), (fromStart.Last, fromStart.Complete));

        var recent = history.Since(2, limit: 100);
        Assert.Equal(["3", "4", "5"], recent.Entries.Select(e => e.Message.Text));
        Assert.True(recent.Complete);

        var upToDate = history.Since(5, limit: 100);
        Assert.Equal((0, true), (upToDate.Entries.Count, upToDate.Complete));
    }

    [Fact]
    public void Messages_older_than_the_ttl_are_gone_and_their_absence_is_told()
    {
        var history = History(ttlSeconds: 10);
        Append(history, "old");
        _now += 11_000;
        Append(history, "new");

        var (entries, last, complete) = history.Since(0, limit: 100);

        Assert.Equal(["new"], entries.Select(e => e.Message.Text));
        Assert.Equal((2L, false), (last, complete));
        Assert.True(history.Since(1, limit: 100).Complete);
    }

    [Fact]
    public void A_limit_short_of_the_last_message_is_not_complete()
    {
        var history = History();
        Append(history, "a", "b", "c");

        var (entries, _, complete) = history.Since(0, limit: 2);

        Assert.Equal(["a", "b"], entries.Select(e => e.Message.Text));
        Assert.False(complete);
    }

    [Fact]
    public void The_newest_are_the_last_ones_within_the_limit()
    {
        var history = History();
        Append(history, "a", "b", "c", "d");

        var (entries, last, complete) = history.Since(0, limit: 2, newest: true);

        Assert.Equal(["c", "d"], entries.Select(e => e.Message.Text));
        Assert.Equal((4L, false), (last, complete));
    }

    [Theory]
    [InlineData("room:*", "room:1", true)]
    [InlineData("room:*", "rooms", false)]
    [InlineData("lobby", "lobby", true)]
    [InlineData("lobby", "lobby2", false)]
    [InlineData("*", "anything", true)]
    public void Patterns_match_a_name_or_a_prefix(string pattern, string group, bool matches) =>
        Assert.Equal(matches, GroupPattern.Matches(pattern, group));
}
