namespace WsGateway.Protocol;

/// <summary>Why bytes are not a PROXY protocol header (haproxy.org/download/2.6/doc/proxy-protocol.txt).</summary>
public enum ProxyHeaderError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>Neither the v1 <c>"PROXY "</c> prefix nor the v2 signature: the peer sent something else first.</summary>
    NotProxyHeader,

    /// <summary>A v1 line without CRLF within 107 bytes (section 2.1: the longest valid line).</summary>
    V1LineTooLong,

    /// <summary>A v1 line that ends without CR before LF, or has other than single spaces between its fields.</summary>
    V1Malformed,

    /// <summary>A v1 protocol other than TCP4, TCP6 or UNKNOWN.</summary>
    V1UnknownProtocol,

    /// <summary>A v1 address that is not an IPv4 (TCP4) or IPv6 (TCP6) address.</summary>
    V1BadAddress,

    /// <summary>A v1 port that is not a decimal number from 0 to 65535.</summary>
    V1BadPort,

    /// <summary>A v2 header whose version nibble is not 2.</summary>
    V2UnsupportedVersion,

    /// <summary>A v2 command other than LOCAL (0) or PROXY (1).</summary>
    V2UnsupportedCommand,

    /// <summary>A v2 address family other than UNSPEC, INET, INET6 or UNIX.</summary>
    V2UnsupportedFamily,

    /// <summary>A v2 length too short for the addresses its family announces.</summary>
    V2AddressTooShort,
}
