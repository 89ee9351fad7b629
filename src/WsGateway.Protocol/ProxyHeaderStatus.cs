namespace WsGateway.Protocol;

/// <summary>Result of <see cref="ProxyHeaderReader.TryRead"/>.</summary>
public enum ProxyHeaderStatus
{
    /// <summary>A whole header was parsed; its length is what to consume.</summary>
    Complete,

    /// <summary>The bytes so far are the start of a valid header.</summary>
    NeedMoreData,

    /// <summary>The bytes are not a valid header; the <see cref="ProxyHeaderError"/> says why. Close the connection.</summary>
    Error,
}
