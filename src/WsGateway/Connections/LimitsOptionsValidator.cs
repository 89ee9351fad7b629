using WsGateway.Options;

namespace WsGateway.Connections;

/// <summary>Checks <c>Limits</c>.</summary>
internal static class LimitsOptionsValidator
{
    /// <summary>
    /// Largest allowed <c>Limits:MaxMessageBytes</c>. A connection buffers a whole message in one array, and .NET
    /// arrays stop just short of int.MaxValue elements (<see cref="Array.MaxLength"/>).
    /// </summary>
    public const long LargestMessageBytes = int.MaxValue - 64;

    /// <summary>
    /// Smallest allowed <c>Limits:MaxHandshakeBytes</c>: a minimal valid upgrade request (request line, Host, Upgrade,
    /// Connection, Sec-WebSocket-Key and -Version) is about 140 bytes.
    /// </summary>
    public const int SmallestHandshakeBytes = 256;

    public static void Validate(LimitsOptions limits, OptionProblems problems)
    {
        problems.Range("Limits:MaxMessageBytes", limits.MaxMessageBytes, 1, LargestMessageBytes,
            limits.MaxMessageBytes > LargestMessageBytes ? "; a message is buffered in one array" : "");
        problems.Range("Limits:MaxHandshakeBytes", limits.MaxHandshakeBytes, SmallestHandshakeBytes, int.MaxValue,
            limits.MaxHandshakeBytes < SmallestHandshakeBytes ? "; a minimal upgrade request is about 140 bytes" : "");
        problems.Seconds("Limits:HandshakeTimeoutSeconds", limits.HandshakeTimeoutSeconds, zeroAllowed: false);
        problems.Range("Limits:SendBufferBytes", limits.SendBufferBytes, 1, long.MaxValue);
        problems.Range("Limits:MemoryBudgetBytes", limits.MemoryBudgetBytes, 0, long.MaxValue);
        problems.Range("Limits:MaxPendingHandshakes", limits.MaxPendingHandshakes, 0, int.MaxValue);
        problems.Seconds("Limits:CloseTimeoutSeconds", limits.CloseTimeoutSeconds, zeroAllowed: false);
        problems.Range("Limits:MaxConnections", limits.MaxConnections, 0, int.MaxValue);
        problems.Range("Limits:MaxConnectionsPerIp", limits.MaxConnectionsPerIp, 0, int.MaxValue);
        problems.Seconds("Limits:IdleTimeoutSeconds", limits.IdleTimeoutSeconds, zeroAllowed: true);
        problems.Seconds("Limits:KeepAliveSeconds", limits.KeepAliveSeconds, zeroAllowed: true);
        problems.Seconds("Limits:KeepAliveTimeoutSeconds", limits.KeepAliveTimeoutSeconds, zeroAllowed: false);
    }
}
