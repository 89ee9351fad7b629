using System.Buffers;
using System.Text.Json;

namespace WsGateway.Client;

/// <summary>The frames of wsgateway.v1 (docs/protocol.md) the client writes and reads, apart from its connection logic.</summary>
internal static class ClientFrames
{
    /// <summary>A <c>call</c> frame, with <paramref name="data"/> serialized as camelCase JSON when given.</summary>
    public static byte[] Call(long id, string command, string args, object? data)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "call");
            json.WriteNumber("id", id);
            json.WriteString("command", command);
            json.WriteString("args", args);
            if (data is not null)
            {
                json.WritePropertyName("data");
                JsonSerializer.Serialize(json, data, data.GetType(), JsonSerializerOptions.Web);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The <c>welcome</c> frame's fields.</summary>
    public static Welcome ReadWelcome(JsonElement frame)
    {
        var identity = frame.GetProperty("identity");
        return new Welcome(
            Str(frame, "session") ?? "",
            Str(frame, "node") ?? "",
            new Identity(
                Str(identity, "name") ?? "",
                [.. identity.GetProperty("roles").EnumerateArray().Select(r => r.GetString() ?? "")],
                identity.GetProperty("authenticated").GetBoolean(),
                identity.TryGetProperty("expiresAt", out var expires) ? expires.GetDateTimeOffset() : null),
            Str(frame, "resume") ?? "");
    }

    /// <summary>A string property of a frame; null when it is missing or not a string.</summary>
    public static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The query with <c>access_token</c> added, where the gateway reads a token a client cannot put in a header.</summary>
    public static string AddToken(string query, string token)
    {
        var pair = "access_token=" + Uri.EscapeDataString(token);
        return string.IsNullOrEmpty(query) || query == "?" ? pair : query.TrimStart('?') + "&" + pair;
    }

    /// <summary>An <c>event</c> frame, or an event of a <c>history</c> reply.</summary>
    public static GatewayEvent ReadEvent(JsonElement frame) => new(
        Str(frame, "event") ?? "",
        Str(frame, "group"),
        frame.TryGetProperty("from", out var from) ? new Sender(Str(from, "session") ?? "", Str(from, "user") ?? "", Str(from, "node") ?? "") : null,
        Str(frame, "text"),
        frame.TryGetProperty("data", out var data) ? data.Clone() : null,
        frame.TryGetProperty("offset", out var offset) && offset.TryGetInt64(out long position) ? position : null,
        Str(frame, "epoch"));
}
