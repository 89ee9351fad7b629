namespace WsGateway.Testing;

/// <summary>Text sent to a group, a user or a session.</summary>
/// <param name="To">The group name, the user name or the session id it was addressed to.</param>
/// <param name="Text">What was sent.</param>
public sealed record SentText(string To, string Text);
