namespace WsGateway.Benchmark;

/// <summary>The server did something a correct echo would not: a wrong reply, a close, a refused handshake.</summary>
internal sealed class BenchmarkException(string message) : Exception(message);
