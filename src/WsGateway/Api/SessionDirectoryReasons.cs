namespace WsGateway.Api;

/// <summary>How a session closed by the API is told why (docs/api.md).</summary>
internal static class SessionDirectoryReasons
{
    /// <summary>
    /// The close code: in the private-use range (RFC 6455 7.4.2), beside 4401/4403 of the in-band refusals, so a
    /// client can tell "a backend ended this session" from a policy violation (1008) and not simply reconnect.
    /// </summary>
    public const int CloseCode = 4000;

    /// <summary>The close reason starts with this; the caller's reason follows.</summary>
    public const string Prefix = "disconnected by the API: ";

    public static string CloseReason(string reason) => reason.Length == 0 ? Prefix.TrimEnd(' ', ':') : Prefix + reason;
}
