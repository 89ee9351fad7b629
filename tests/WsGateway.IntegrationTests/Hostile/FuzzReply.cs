using System.Text;
using System.Text.Json;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>A data message the gateway must send back: an echo, or the reply to a command.</summary>
/// <param name="Opcode">1 (text) or 2 (binary).</param>
/// <param name="Payload">The exact bytes, or for an envelope reply the expected <c>text</c>.</param>
/// <param name="EnvelopeId">For a JSON envelope request, its id: the reply is compared as JSON, not as bytes.</param>
internal sealed record FuzzReply(int Opcode, byte[] Payload, string? EnvelopeId = null)
{
    public bool Matches(ServerFrame frame)
    {
        if (frame.Opcode != Opcode)
        {
            return false;
        }

        if (EnvelopeId is null)
        {
            return frame.Payload.AsSpan().SequenceEqual(Payload);
        }

        try
        {
            using var json = JsonDocument.Parse(frame.Payload);
            var root = json.RootElement;
            return root.GetProperty("id").GetString() == EnvelopeId
                && root.GetProperty("ok").GetBoolean()
                && root.GetProperty("text").GetString() == Encoding.UTF8.GetString(Payload);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    public override string ToString() =>
        $"{(Opcode == 1 ? "text" : "binary")} {Payload.Length} bytes{(EnvelopeId is null ? "" : $" in envelope {EnvelopeId}")}";
}
