using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using WsGateway.Broadcasting;
using WsGateway.Contracts;

namespace WsGateway.Commands;

/// <summary>
/// The frames the gateway sends in the <c>wsgateway.v1</c> protocol (docs/protocol.md), written into a caller's
/// <see cref="Utf8JsonWriter"/>; <see cref="CallFrameReader"/> reads what clients send.
/// </summary>
internal static class CallProtocol
{
    /// <summary>The subprotocol a client asks for in its handshake.</summary>
    public const string Name = "wsgateway.v1";

    /// <summary>
    /// Relaxed escaping: quotes come out as \" rather than \u0022; the text travels as JSON over WebSocket, never
    /// inside HTML, where the strict default escaping matters.
    /// </summary>
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void WriteWelcome(Utf8JsonWriter json, string session, string node, CallerIdentity identity)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "welcome"u8);
        json.WriteString("protocol"u8, Name);
        json.WriteString("session"u8, session);
        json.WriteString("node"u8, node);
        json.WriteStartObject("identity"u8);
        json.WriteString("name"u8, identity.Name);
        json.WriteStartArray("roles"u8);
        foreach (var role in identity.Roles)
        {
            json.WriteStringValue(role);
        }

        json.WriteEndArray();
        json.WriteBoolean("authenticated"u8, identity.IsAuthenticated);
        if (identity.ExpiresAt is { } expires)
        {
            json.WriteString("expiresAt"u8, expires);
        }

        json.WriteEndObject();
        // Opaque to clients; what recovery (issue 30) will read. Random, so it names no session that another could guess.
        json.WriteString("resume"u8, "r1." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));
        json.WriteEndObject();
    }

    /// <summary>A reply: <paramref name="text"/>, or <paramref name="data"/> (JSON) when text is null.</summary>
    public static void WriteReply(Utf8JsonWriter json, string id, string? text, ReadOnlySpan<byte> data)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "reply"u8);
        WriteId(json, id);
        WritePayload(json, text, data);
        json.WriteEndObject();
    }

    /// <summary>
    /// The <c>result</c> frame of the call <paramref name="id"/> into <paramref name="destination"/>, byte for byte what
    /// <see cref="WriteResult"/> writes, without a JSON writer: every call ends with one. False when it does not fit.
    /// </summary>
    public static bool TryFormatResult(string id, Span<byte> destination, out int written)
    {
        ReadOnlySpan<byte> start = "{\"type\":\"result\",\"id\":"u8;
        written = 0;
        if (start.Length + Encoding.UTF8.GetMaxByteCount(id.Length) + 1 > destination.Length)
        {
            return false;
        }

        start.CopyTo(destination);
        int length = start.Length + Encoding.UTF8.GetBytes(id, destination[start.Length..]);
        destination[length++] = (byte)'}';
        written = length;
        return true;
    }

    public static void WriteResult(Utf8JsonWriter json, string id)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "result"u8);
        WriteId(json, id);
        json.WriteEndObject();
    }

    /// <param name="id">The call's id; null for an error of the connection, or of a frame without a usable id.</param>
    public static void WriteError(Utf8JsonWriter json, string? id, string code, string message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "error"u8);
        if (id is not null)
        {
            WriteId(json, id);
        }

        json.WriteString("code"u8, code);
        json.WriteString("message"u8, message);
        json.WriteEndObject();
    }

    /// <summary>An event a command sent its own caller: <paramref name="text"/>, or <paramref name="data"/> (JSON).</summary>
    public static void WriteEvent(Utf8JsonWriter json, string name, string? text, ReadOnlySpan<byte> data)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "event"u8);
        json.WriteString("event"u8, name);
        WritePayload(json, text, data);
        json.WriteEndObject();
    }

    /// <summary>A message to everyone, a group, a user or a session, as the event every <c>wsgateway.v1</c> recipient gets.</summary>
    public static string Event(BusMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(128 + (message.Text ?? message.Data)!.Length);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteEventObject(json, message);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The event object of <paramref name="message"/>: a frame, or an entry of a <c>history</c> reply.</summary>
    public static void WriteEventObject(Utf8JsonWriter json, BusMessage message)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "event"u8);
        json.WriteString("event"u8, message.EventName);
        if (message.To is { Kind: AudienceKind.Group, Name: { } group })
        {
            json.WriteString("group"u8, group);
        }

        if (message.Offset is { } offset)
        {
            json.WriteNumber("offset"u8, offset);
            json.WriteString("epoch"u8, message.Epoch);
        }

        if (message.SenderSession is { } session)
        {
            json.WriteStartObject("from"u8);
            json.WriteString("session"u8, session);
            json.WriteString("user"u8, message.SenderUser ?? CallerIdentity.Anonymous.Name);
            json.WriteString("node"u8, message.OriginNode);
            json.WriteEndObject();
        }

        WritePayload(json, message.Text, message.Data is { } data ? Encoding.UTF8.GetBytes(data) : default);
        json.WriteEndObject();
    }

    /// <summary>The id as the client sent it (a JSON string or integer), which the reader took from valid JSON.</summary>
    private static void WriteId(Utf8JsonWriter json, string id)
    {
        json.WritePropertyName("id"u8);
        json.WriteRawValue(id, skipInputValidation: true);
    }

    private static void WritePayload(Utf8JsonWriter json, string? text, ReadOnlySpan<byte> data)
    {
        if (text is not null)
        {
            json.WriteString("text"u8, text);
            return;
        }

        json.WritePropertyName("data"u8);
        json.WriteRawValue(data, skipInputValidation: true);
    }
}
