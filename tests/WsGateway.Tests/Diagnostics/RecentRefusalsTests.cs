using System.Net;
using WsGateway.Diagnostics;

namespace WsGateway.Tests.Diagnostics;

public sealed class RecentRefusalsTests
{
    [Fact]
    public void Counts_cover_every_refusal_and_the_latest_keep_the_newest()
    {
        var refusals = new RecentRefusals();
        for (int i = 0; i < RecentRefusals.Capacity + 5; i++)
        {
            refusals.Add(i % 2 == 0 ? "origin" : "auth", new IPEndPoint(IPAddress.Loopback, 1000 + i), "/");
        }

        Assert.Equal([new("auth", 52L), new KeyValuePair<string, long>("origin", 53)], refusals.Counts());
        var latest = refusals.Latest();
        Assert.Equal(RecentRefusals.Capacity, latest.Count);
        Assert.Equal("127.0.0.1:1104", latest[^1].Remote);
        Assert.Equal("127.0.0.1:1005", latest[0].Remote);
    }

    [Fact]
    public void The_reload_history_keeps_the_latest()
    {
        var history = new ReloadHistory();
        for (int i = 0; i < ReloadHistory.Capacity + 1; i++)
        {
            history.Add(new ReloadRecord(DateTimeOffset.UtcNow, "script", $"s{i}.csx", null, "abc", "loaded", []));
        }

        var records = history.Snapshot();
        Assert.Equal(ReloadHistory.Capacity, records.Count);
        Assert.Equal(("s1.csx", $"s{ReloadHistory.Capacity}.csx"), (records[0].Name, records[^1].Name));
    }
}
