namespace WsGateway.Protocol.Tests;

/// <summary>A budget of <paramref name="limit"/> bytes that remembers the most it ever held.</summary>
internal sealed class CountingBudget(long limit) : IBufferBudget
{
    public long Used { get; private set; }

    public long Peak { get; private set; }

    public int Refusals { get; private set; }

    public bool TryReserve(long bytes)
    {
        if (Used + bytes > limit)
        {
            Refusals++;
            return false;
        }

        Used += bytes;
        Peak = Math.Max(Peak, Used);
        return true;
    }

    public void Release(long bytes)
    {
        Used -= bytes;
        Assert.True(Used >= 0, $"released {-Used} bytes more than were reserved");
    }
}
