namespace WsGateway.Benchmark;

/// <summary>Failed connections of one run: how many, and the first reason (the rest are usually the same).</summary>
internal sealed class ErrorTally
{
    public long Count { get; private set; }

    public string? First { get; private set; }

    public void Add(Exception ex)
    {
        Count++;
        First ??= ex is BenchmarkException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}";
    }
}
