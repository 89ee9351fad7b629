using System.Text.Encodings.Web;
using System.Text.Json;

namespace WsGateway.Benchmark;

/// <summary>
/// The frames of wsgateway.v1 calls (docs/protocol.md) for the load generator: one request per window slot, whose id
/// is the slot's number (a call's id may be used again once its call ended, and a slot has one call at a time), and
/// the two messages each call gets back, exactly as the gateway writes them: its <c>reply</c> and its <c>result</c>.
/// </summary>
internal sealed class CallProtocolFrames
{
    public const string Protocol = "wsgateway.v1";

    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="text">The command line: its first word is the command, the rest its arguments.</param>
    /// <param name="expect">The one reply the command sends.</param>
    public CallProtocolFrames(string text, string expect, int window)
    {
        int split = text.IndexOf(' ', StringComparison.Ordinal);
        var (command, args) = split < 0 ? (text, "") : (text[..split], text[(split + 1)..]);
        Requests = [.. Enumerable.Range(0, window).Select(id => ClientFrame.Build(ClientFrame.Text, Json(json =>
        {
            json.WriteString("type", "call");
            json.WriteNumber("id", id);
            json.WriteString("command", command);
            json.WriteString("args", args);
        })))];
        Replies = [.. Enumerable.Range(0, window).Select(id => Json(json =>
        {
            json.WriteString("type", "reply");
            json.WriteNumber("id", id);
            json.WriteString("text", expect);
        }))];
        Results = [.. Enumerable.Range(0, window).Select(id => Json(json =>
        {
            json.WriteString("type", "result");
            json.WriteNumber("id", id);
        }))];
    }

    /// <summary>Each slot's request, as a masked client frame.</summary>
    public byte[][] Requests { get; }

    /// <summary>Each slot's expected reply payload.</summary>
    public byte[][] Replies { get; }

    /// <summary>Each slot's expected result payload.</summary>
    public byte[][] Results { get; }

    private static byte[] Json(Action<Utf8JsonWriter> body)
    {
        var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output, Relaxed))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return output.ToArray();
    }
}
