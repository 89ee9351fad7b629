using System.Text;
using System.Text.Json;

namespace WsGateway.Commands;

/// <summary>
/// Reads a client's frame of the <c>wsgateway.v1</c> protocol (docs/protocol.md): a <c>call</c>, or the reason it is
/// not one, with the call's id whenever the frame had a usable one, so that the error reaches the right call.
/// </summary>
internal static class CallFrameReader
{
    /// <summary>The longest string id (in characters, as decoded).</summary>
    public const int MaxIdLength = 128;

    /// <summary>How deep a frame's JSON may nest (the frame itself is depth 1).</summary>
    public const int MaxDepth = 32;

    public static CommandRequest Read(ReadOnlySpan<byte> json)
    {
        string? id = null, type = null, command = null, args = null, data = null;
        string? fieldError = null;
        bool idSeen = false, idBad = false;
        var seen = Fields.None;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return CommandRequest.Invalid(null, CallErrors.BadFrame, "a frame must be a JSON object");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                if (field != Fields.None && (seen & field) != 0)
                {
                    fieldError ??= $"the field \"{Name(field)}\" appears twice";
                }

                seen |= field;
                reader.Read();
                switch (field)
                {
                    case Fields.Type when reader.TokenType == JsonTokenType.String:
                        // Compared where it lies: a call, every time but for a bad frame, needs no string for it.
                        type = reader.ValueTextEquals("call"u8) ? "call" : reader.GetString();
                        break;
                    case Fields.Id:
                        idSeen = true;
                        id = ReadId(ref reader, json);
                        idBad = id is null;
                        break;
                    case Fields.Command when reader.TokenType == JsonTokenType.String:
                        command = reader.GetString();
                        break;
                    case Fields.Args when reader.TokenType == JsonTokenType.String:
                        args = reader.GetString();
                        break;
                    case Fields.Data:
                        long start = reader.TokenStartIndex;
                        reader.Skip();
                        data = Encoding.UTF8.GetString(json[(int)start..(int)reader.BytesConsumed]);
                        break;
                    case Fields.None:
                        // Unknown fields are ignored: a newer client may send some.
                        reader.Skip();
                        break;
                    default:
                        fieldError ??= $"the field \"{Name(field)}\" must be a string";
                        reader.Skip();
                        break;
                }
            }
        }
        catch (JsonException) when (reader.CurrentDepth >= MaxDepth - 1)
        {
            return CommandRequest.Invalid(idBad ? null : id, CallErrors.TooDeep, $"the frame nests deeper than {MaxDepth} levels");
        }
        catch (JsonException ex)
        {
            return CommandRequest.Invalid(idBad ? null : id, CallErrors.BadFrame, $"the frame is not valid JSON ({ex.Message})");
        }
        catch (InvalidOperationException)
        {
            // GetString throws this, not a JsonException, for an escape such as "\ud800" that decodes to no string.
            return CommandRequest.Invalid(idBad ? null : id, CallErrors.BadFrame, "the frame has a string with an unpaired surrogate escape (\\uD800-\\uDFFF)");
        }

        if (fieldError is not null)
        {
            return CommandRequest.Invalid(id, CallErrors.BadFrame, fieldError);
        }

        if (type is null)
        {
            return CommandRequest.Invalid(id, CallErrors.BadFrame, "a frame needs a \"type\" string");
        }

        if (type != "call")
        {
            return CommandRequest.Invalid(id, CallErrors.UnknownType, $"a client sends frames of type \"call\", not \"{SentText.Excerpt(type)}\"");
        }

        if (id is null)
        {
            return CommandRequest.Invalid(null, CallErrors.BadId, idSeen
                ? $"a call's \"id\" is a string of 1 to {MaxIdLength} characters or an integer"
                : "a call needs an \"id\"");
        }

        if (string.IsNullOrWhiteSpace(command))
        {
            return CommandRequest.Invalid(id, CallErrors.BadFrame, "a call needs a \"command\" string");
        }

        return new CommandRequest(id, command.Trim(), args ?? "", Data: data);
    }

    /// <summary>The id as the JSON it was sent as, or null when it is not a usable one (the value is skipped).</summary>
    private static string? ReadId(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
    {
        var raw = json[(int)reader.TokenStartIndex..(int)reader.BytesConsumed];
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                // Decoded to count characters and to refuse an unpaired surrogate; kept as sent.
                var value = reader.GetString();
                return value is { Length: > 0 and <= MaxIdLength } ? Encoding.UTF8.GetString(raw) : null;
            case JsonTokenType.Number:
                // Integers only: 7.0 or 1e3 would come back as the same number in another spelling from some JSON libraries.
                return reader.TryGetInt64(out _) && raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0 ? Encoding.UTF8.GetString(raw) : null;
            default:
                reader.Skip();
                return null;
        }
    }

    private static Fields FieldOf(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.ValueTextEquals("type"u8) ? Fields.Type
                : reader.ValueTextEquals("id"u8) ? Fields.Id
                : reader.ValueTextEquals("command"u8) ? Fields.Command
                : reader.ValueTextEquals("args"u8) ? Fields.Args
                : reader.ValueTextEquals("data"u8) ? Fields.Data
                : Fields.None;
        }
        catch (InvalidOperationException)
        {
            // An unpaired surrogate escape in a name decodes to none of ours: ignored like any unknown field.
            return Fields.None;
        }
    }

    private static string Name(Fields field) => field.ToString().ToLowerInvariant();

    [Flags]
    private enum Fields
    {
        None = 0,
        Type = 1,
        Id = 2,
        Command = 4,
        Args = 8,
        Data = 16,
    }
}
