namespace WsGateway.Protocol;

/// <summary>The verdict of <see cref="WebSocketHandshake.Validate"/>, each with the HTTP answer the gateway gives.</summary>
public enum HandshakeOutcome
{
    /// <summary>A valid version-13 handshake: answer 101 Switching Protocols.</summary>
    Accept,

    /// <summary>Not a WebSocket upgrade: hand the request to the HTTP routes.</summary>
    NotUpgrade,

    /// <summary>A malformed WebSocket handshake: answer 400.</summary>
    BadRequest,

    /// <summary>Missing or unsupported Sec-WebSocket-Version: answer 426 with <c>Sec-WebSocket-Version: 13</c> (RFC 6455 4.4).</summary>
    UpgradeRequired,

    /// <summary>A hixie-76 / hybi-00 handshake (Sec-WebSocket-Key1/Key2): answer 426 like <see cref="UpgradeRequired"/>, or 400.</summary>
    ObsoleteDraft,

    /// <summary>A WebSocket upgrade with a method other than GET: answer 405 with <c>Allow: GET</c>.</summary>
    MethodNotAllowed,
}
