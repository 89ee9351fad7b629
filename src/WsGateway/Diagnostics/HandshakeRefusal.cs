namespace WsGateway.Diagnostics;

/// <summary>One upgrade request refused or dropped before it became a connection.</summary>
/// <param name="Reason">The <c>reason</c> label of <c>wsgateway_handshake_failures_total</c> (<c>origin</c>, <c>auth</c>, ...).</param>
/// <param name="Remote">The client's address as the gateway saw it, when it was known.</param>
/// <param name="Path">The requested path, when the request head was read.</param>
internal sealed record HandshakeRefusal(DateTimeOffset At, string Reason, string? Remote, string? Path);
