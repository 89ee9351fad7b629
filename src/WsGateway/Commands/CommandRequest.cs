namespace WsGateway.Commands;

/// <summary>One parsed text message on the command route.</summary>
/// <param name="Id">
/// The call's id as the JSON it was sent as (<c>7</c> or <c>"7"</c>), echoed back unchanged; empty for an envelope
/// without one (its replies carry none); null for a plain-text request (and replies are then plain text), or for a
/// <c>wsgateway.v1</c> frame whose id was missing or unusable.
/// </param>
/// <param name="Name">The command name as sent (for error messages when it is unknown).</param>
/// <param name="Arguments">The rest of the line, or the envelope's or call's <c>args</c>.</param>
/// <param name="Error">Set when the message could not be understood at all (for example a broken envelope).</param>
/// <param name="ErrorCode">With <paramref name="Error"/>: the <c>wsgateway.v1</c> error code (<see cref="CallErrors"/>).</param>
/// <param name="Data">A <c>wsgateway.v1</c> call's <c>data</c>, as the JSON it was sent as; null when it had none.</param>
internal readonly record struct CommandRequest(
    string? Id, string Name, string Arguments, string? Error = null, string? ErrorCode = null, string? Data = null)
{
    public bool IsEnvelope => Id is not null;

    public static CommandRequest Invalid(string? id, string code, string error) => new(id, "", "", error, code);
}
