namespace WsGateway.Broadcasting;

/// <summary>
/// One message for sessions on every node: to everyone, a group, a user or one session; plain text or JSON data.
/// </summary>
/// <param name="To">Whom it is for.</param>
/// <param name="Text">Its text; null when it carries <paramref name="Data"/>.</param>
/// <param name="OriginNode">The node that published it (a node skips its own messages when the bus echoes them back).</param>
/// <param name="SenderSession">The session whose command sent it; null when no session did (a backend, a hook).</param>
/// <param name="SenderUser">That session's identity name (what <c>wsgateway.v1</c> events give as <c>from.user</c>).</param>
/// <param name="Data">Its payload as JSON text (valid, checked by whoever made the message); null for a text message.</param>
/// <param name="Event">
/// The <c>wsgateway.v1</c> event name; null for the default of its audience (<c>broadcast</c>, <c>group</c>, or
/// <c>direct</c> for a user or a session).
/// </param>
internal sealed record BusMessage(
    Audience To,
    string? Text,
    string OriginNode,
    string? SenderSession = null,
    string? SenderUser = null,
    string? Data = null,
    string? Event = null)
{
    /// <summary>Its position in its group's history (<c>History:Groups</c>); null for a group that keeps none.</summary>
    public long? Offset { get; init; }

    /// <summary>The history's epoch with <see cref="Offset"/>.</summary>
    public string? Epoch { get; init; }

    /// <summary>What a plain-text session gets: the text, or the data's JSON text.</summary>
    public string PlainText => Text ?? Data ?? string.Empty;

    /// <summary>The name of the <c>wsgateway.v1</c> event this message arrives as.</summary>
    public string EventName => Event ?? To.Kind switch
    {
        AudienceKind.Everyone => "broadcast",
        AudienceKind.Group => "group",
        _ => "direct",
    };
}
