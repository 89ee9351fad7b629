using System.Text;
using System.Text.Json;

namespace WsGateway.Commands;

/// <summary>
/// Reads the two request shapes: plain text <c>name rest-of-line</c>, and a JSON envelope
/// <c>{"id":"7","command":"name","args":"rest"}</c> (a message whose first non-blank character is <c>{</c>).
/// </summary>
internal static class CommandRequestParser
{
    private static ReadOnlySpan<byte> Blanks => " \t\r\n"u8;

    public static CommandRequest Parse(ReadOnlySpan<byte> utf8)
    {
        var trimmed = utf8.TrimStart(Blanks);
        return !trimmed.IsEmpty && trimmed[0] == (byte)'{' ? ParseEnvelope(trimmed) : ParsePlain(trimmed);
    }

    /// <summary>Splits at the first blank straight from the bytes: only the name and the arguments become strings.</summary>
    private static CommandRequest ParsePlain(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd(Blanks);
        int split = line.IndexOfAny((byte)' ', (byte)'\t');
        return split < 0
            ? new CommandRequest(null, Encoding.UTF8.GetString(line), "")
            : new CommandRequest(null, Encoding.UTF8.GetString(line[..split]), Encoding.UTF8.GetString(line[(split + 1)..].TrimStart(Blanks)));
    }

    private static CommandRequest ParseEnvelope(ReadOnlySpan<byte> json)
    {
        string? id = null, command = null, args = null;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 4 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return Invalid(null, "the envelope must be a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string? property = KnownProperty(ref reader);
                reader.Read();
                switch (property)
                {
                    case "id":
                        // Kept as the JSON it was sent as, so the reply carries the same value and type. Any other
                        // value (null, an object, an array) is no id, and is skipped whole.
                        if (reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                        {
                            id = Encoding.UTF8.GetString(json.Slice((int)reader.TokenStartIndex, (int)(reader.BytesConsumed - reader.TokenStartIndex)));
                        }
                        else
                        {
                            id = null;
                            reader.Skip();
                        }

                        break;
                    case "command" when reader.TokenType == JsonTokenType.String:
                        command = reader.GetString();
                        break;
                    case "args" when reader.TokenType == JsonTokenType.String:
                        args = reader.GetString();
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            return Invalid(id, $"the envelope is not valid JSON ({ex.Message})");
        }
        catch (InvalidOperationException)
        {
            // GetString throws this, not a JsonException, for an escape such as "\ud800" that decodes to no string.
            return Invalid(id, "the envelope has a string with an unpaired surrogate escape (\\uD800-\\uDFFF)");
        }

        if (string.IsNullOrWhiteSpace(command))
        {
            return Invalid(id, "the envelope needs a \"command\" string");
        }

        return new CommandRequest(id ?? "", command.Trim(), args ?? "");
    }

    /// <summary>"id", "command", "args", or null for any other property name.</summary>
    private static string? KnownProperty(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.ValueTextEquals("id"u8) ? "id"
                : reader.ValueTextEquals("command"u8) ? "command"
                : reader.ValueTextEquals("args"u8) ? "args"
                : null;
        }
        catch (InvalidOperationException)
        {
            // An unpaired surrogate escape ("\ud800") decodes to no name at all, so to none of ours: skipped like any.
            return null;
        }
    }

    private static CommandRequest Invalid(string? id, string error) => new(id ?? "", "", "", error);
}
