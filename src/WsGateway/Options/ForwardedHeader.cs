namespace WsGateway.Options;

/// <summary>A forwarding header that <c>Proxies:ForwardedHeaders</c> lets a trusted proxy set.</summary>
public enum ForwardedHeader
{
    /// <summary>
    /// <c>X-Forwarded-For</c>: the client's address. Safe with any proxy that appends to it, since only the hops
    /// trusted proxies wrote are believed.
    /// </summary>
    For,

    /// <summary>
    /// <c>X-Forwarded-Proto</c>: whether the client used TLS (what <c>self</c> in <c>Origins:Allowed</c> compares).
    /// Only when every trusted proxy sets or removes it: one that passes a client's header on lets the client choose.
    /// </summary>
    Proto,

    /// <summary>
    /// <c>X-Forwarded-Host</c>: the host name the client asked for, in place of the Host header for the
    /// <c>Hosts:Allowed</c> check and <c>self</c>. Only when every trusted proxy sets or removes it: one that passes a
    /// client's header on lets any page through the DNS rebinding check. The last such header counts whole, so a proxy
    /// must set it, not append to it.
    /// </summary>
    Host,
}
