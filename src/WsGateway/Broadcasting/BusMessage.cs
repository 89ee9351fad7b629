namespace WsGateway.Broadcasting;

/// <summary>One message on the bus: text for every command session, or for the members of one group, on every node.</summary>
/// <param name="Group">The group whose members get it; null for everyone.</param>
/// <param name="Text">The text frame's content.</param>
/// <param name="OriginNode">The node that published it (a node skips its own messages when the bus echoes them back).</param>
/// <param name="SenderSession">The session whose command sent it; null when no session did.</param>
/// <param name="SenderUser">That session's identity name (what <c>wsgateway.v1</c> events give as <c>from.user</c>).</param>
internal sealed record BusMessage(string? Group, string Text, string OriginNode, string? SenderSession = null, string? SenderUser = null);
