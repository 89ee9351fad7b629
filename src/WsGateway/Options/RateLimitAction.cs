namespace WsGateway.Options;

public enum RateLimitAction
{
    /// <summary>Answer the message with an error and drop it; the connection stays.</summary>
    Reply,

    /// <summary>Close the connection with 1008 (policy violation).</summary>
    Close,
}
