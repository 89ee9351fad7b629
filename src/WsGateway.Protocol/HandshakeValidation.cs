namespace WsGateway.Protocol;

/// <summary>The verdict of <see cref="WebSocketHandshake.Validate"/>.</summary>
/// <param name="Outcome">What to answer.</param>
/// <param name="Reason">Short human-readable reason for anything but <see cref="HandshakeOutcome.Accept"/>; safe to put in a response body.</param>
public readonly record struct HandshakeValidation(HandshakeOutcome Outcome, string? Reason);
