namespace WsGateway.Commands;

/// <summary>One parsed text message on the command route.</summary>
/// <param name="Id">
/// The JSON envelope's id as the JSON it was sent as (<c>7</c> or <c>"7"</c>), echoed back unchanged; empty for an
/// envelope without one (its replies carry none); null for a plain-text request (and replies are then plain text).
/// </param>
/// <param name="Name">The command name as sent (for error messages when it is unknown).</param>
/// <param name="Arguments">The rest of the line, or the envelope's <c>args</c>.</param>
/// <param name="Error">Set when the message could not be understood at all (for example a broken envelope).</param>
internal readonly record struct CommandRequest(string? Id, string Name, string Arguments, string? Error = null)
{
    public bool IsEnvelope => Id is not null;
}
