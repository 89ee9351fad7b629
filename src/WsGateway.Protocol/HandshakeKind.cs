namespace WsGateway.Protocol;

/// <summary>What a parsed request head asks for.</summary>
public enum HandshakeKind
{
    /// <summary>An ordinary HTTP request, served by the HTTP routes.</summary>
    PlainHttp,

    /// <summary>A WebSocket opening handshake (RFC 6455 4.2.1).</summary>
    WebSocket,
}
