using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace WsGateway.Benchmark;

/// <summary>
/// The little of SignalR's JSON hub protocol the load generator speaks, over its own raw WebSocket client (so the same
/// timing and CPU figures apply): after the upgrade the client sends the handshake <c>{"protocol":"json","version":1}</c>
/// and gets <c>{}</c>; then both sides send records, JSON objects each ended by 0x1e, in text messages. The server may
/// put several records in one message (whatever its output pipe held) and split one across frames, so replies are
/// read as a stream of records, not one per message. The client sends invocations without an invocation id (type 1,
/// no completion comes back); the server pushes invocations of its own ("Echo", "Broadcast") and may send a ping
/// (type 6) when it has sent nothing for a while, which the client ignores.
/// </summary>
internal static class SignalRProtocol
{
    public const byte RecordSeparator = 0x1e;

    public static byte[] HandshakeRequest => Encoding.ASCII.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");

    public static byte[] HandshakeResponse => "{}\u001e"u8.ToArray();

    public static ReadOnlySpan<byte> Ping => "{\"type\":6}\u001e"u8;

    /// <summary>
    /// An invocation record, with its separator: what the client sends, and, with the server's target and argument,
    /// exactly what the server pushes: its JSON writer puts the properties in this order and escapes as little as
    /// the relaxed encoder does.
    /// </summary>
    /// <param name="invocationId">Null for a call that wants no completion.</param>
    public static byte[] Invocation(string target, string? invocationId, params string[] arguments)
    {
        var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("type", 1);
            if (invocationId is not null)
            {
                json.WriteString("invocationId", invocationId);
            }

            json.WriteString("target", target);
            json.WriteStartArray("arguments");
            foreach (var argument in arguments)
            {
                json.WriteStringValue(argument);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteByte(RecordSeparator);
        return output.ToArray();
    }

    /// <summary>The completion of a call to a method that returns a Task (no result), with its separator.</summary>
    public static byte[] Completion(string invocationId) =>
        Encoding.ASCII.GetBytes($"{{\"type\":3,\"invocationId\":\"{invocationId}\",\"result\":null}}\u001e");

    /// <summary>A record (or its start) as text for an error message.</summary>
    public static string Show(ReadOnlySpan<byte> record) =>
        Encoding.UTF8.GetString(record[..Math.Min(record.Length, 120)]).Replace("\u001e", "\\x1e", StringComparison.Ordinal);
}
