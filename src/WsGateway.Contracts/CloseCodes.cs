namespace WsGateway.Contracts;

/// <summary>Close codes of RFC 6455 section 7.4 that commands commonly use.</summary>
public static class CloseCodes
{
    /// <summary>The purpose of the connection has been fulfilled.</summary>
    public const int NormalClosure = 1000;

    /// <summary>The server is going away (shutdown).</summary>
    public const int GoingAway = 1001;

    /// <summary>The message violates a policy (for example a rate limit).</summary>
    public const int PolicyViolation = 1008;

    /// <summary>Something unexpected happened on the server.</summary>
    public const int InternalError = 1011;
}
