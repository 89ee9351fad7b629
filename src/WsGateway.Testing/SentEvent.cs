using System.Text.Json;

namespace WsGateway.Testing;

/// <summary>An event sent to the caller with <c>SendEventAsync</c>.</summary>
/// <param name="Name">The event's name.</param>
/// <param name="Data">Its payload, serialized as the gateway serializes it (<see cref="JsonSerializerOptions.Web"/>).</param>
public sealed record SentEvent(string Name, JsonElement Data);
