namespace WsGateway.Protocol;

/// <summary>The verdict of <see cref="WebSocketHandshake.Validate"/>.</summary>
/// <param name="Outcome">What to answer.</param>
/// <param name="Reason">Short human-readable reason for anything but <see cref="HandshakeOutcome.Accept"/>; safe to put in a response body.</param>
public readonly record struct HandshakeValidation(HandshakeOutcome Outcome, string? Reason)
{
    /// <summary>Whether the request attempted a WebSocket handshake (even a rejected one) or is plain HTTP.</summary>
    public HandshakeKind Kind => Outcome == HandshakeOutcome.NotUpgrade ? HandshakeKind.PlainHttp : HandshakeKind.WebSocket;
}
