namespace WsGateway.Benchmark;

/// <summary>One measurement of <see cref="AllocationProbe"/>: where to connect, how many clients, what they send.</summary>
internal sealed record AllocationScenario(string Name, string Url, int Connections, LoadOptions Options);
