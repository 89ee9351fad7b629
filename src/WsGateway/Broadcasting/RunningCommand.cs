namespace WsGateway.Broadcasting;

/// <summary>The command a session is running, and since when.</summary>
internal sealed record RunningCommand(string Command, DateTimeOffset Since);
