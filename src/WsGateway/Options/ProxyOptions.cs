namespace WsGateway.Options;

/// <summary>
/// Which peers are load balancers or reverse proxies whose word about the client is taken: their forwarding headers
/// and PROXY protocol header give the client address that limits, logs, sessions, origin checks and authentication see.
/// </summary>
public sealed class ProxyOptions
{
    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) or CIDR ranges (<c>10.0.0.0/8</c>, <c>fd00::/8</c>) of trusted proxies. Empty: no
    /// peer is trusted and every connection's own address is the client's.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Honour <c>X-Forwarded-For</c> (the right-most untrusted hop is the client), <c>X-Forwarded-Proto</c> and
    /// <c>X-Forwarded-Host</c> from a trusted peer. From others they are ignored.
    /// </summary>
    public bool ForwardedHeaders { get; set; } = true;

    /// <summary>
    /// Expect a PROXY protocol (v1 or v2) header on every connection from a trusted peer; from any other peer a PROXY
    /// header closes the connection.
    /// </summary>
    public bool ProxyProtocol { get; set; }
}
