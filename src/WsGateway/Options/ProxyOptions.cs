namespace WsGateway.Options;

/// <summary>
/// Which peers are load balancers or reverse proxies whose word about the client is taken: their forwarding headers
/// and PROXY protocol header give the client address that limits, logs, sessions, origin checks and authentication see.
/// </summary>
public sealed record ProxyOptions
{
    /// <summary>
    /// Addresses (<c>10.0.0.5</c>) or CIDR ranges (<c>10.0.0.0/8</c>, <c>fd00::/8</c>) of trusted proxies. Empty: no
    /// peer is trusted and every connection's own address is the client's.
    /// </summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>
    /// Which forwarding headers a trusted peer may set: <see cref="ForwardedHeader.For"/> (<c>X-Forwarded-For</c>, the
    /// right-most untrusted hop is the client; the default), <see cref="ForwardedHeader.Proto"/>
    /// (<c>X-Forwarded-Proto</c>) and <see cref="ForwardedHeader.Host"/> (<c>X-Forwarded-Host</c>). Proto and Host are
    /// off unless listed (ASP.NET Core's forwarded headers middleware also leaves Host off unless asked): a proxy that
    /// does not overwrite them passes the client's own on. Empty: none. From peers that are not trusted they are always
    /// ignored. The key's earlier form still reads: <c>true</c> as the default, <c>false</c> as empty.
    /// </summary>
    public ForwardedHeader[] ForwardedHeaders { get; set; } = [ForwardedHeader.For];

    /// <summary>
    /// Expect a PROXY protocol (v1 or v2) header on every connection from a trusted peer; from any other peer a PROXY
    /// header closes the connection.
    /// </summary>
    public bool ProxyProtocol { get; set; }

    public bool Equals(ProxyOptions? other) =>
        other is not null
        && OptionLists.Same(TrustedProxies, other.TrustedProxies)
        && OptionLists.Same(ForwardedHeaders, other.ForwardedHeaders)
        && ProxyProtocol == other.ProxyProtocol;

    public override int GetHashCode() => HashCode.Combine(OptionLists.Hash(TrustedProxies), OptionLists.Hash(ForwardedHeaders), ProxyProtocol);
}
