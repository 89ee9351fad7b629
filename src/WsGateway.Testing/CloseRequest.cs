namespace WsGateway.Testing;

/// <summary>A close asked for by a command, or a refusal by a session hook.</summary>
/// <param name="Code">The WebSocket close code.</param>
/// <param name="Reason">The close reason.</param>
public sealed record CloseRequest(int Code, string Reason);
