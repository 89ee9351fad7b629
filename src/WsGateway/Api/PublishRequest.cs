using WsGateway.Broadcasting;

namespace WsGateway.Api;

/// <summary>A publish as the API accepted it: one audience, text or JSON data, and an optional event name.</summary>
/// <param name="Data">The data's JSON text as sent; null for a text message.</param>
internal sealed record PublishRequest(Audience To, string? Text, string? Data, string? Event);
