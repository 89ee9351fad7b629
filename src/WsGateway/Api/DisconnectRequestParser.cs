using System.Text;
using System.Text.Json;

namespace WsGateway.Api;

/// <summary>
/// Reads the body of the disconnect calls: nothing, or <c>{"reason": "..."}</c>. The reason goes into the close frame
/// after <see cref="SessionDirectoryReasons.Prefix"/>, which leaves it <see cref="MaxReasonBytes"/> of the 123 bytes a
/// close reason may have (RFC 6455 5.5). Pure: no I/O.
/// </summary>
internal static class DisconnectRequestParser
{
    public const int MaxReasonBytes = 123 - 25;

    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    public static ApiProblem? TryParse(ReadOnlySpan<byte> body, out string reason)
    {
        reason = "";
        if (body.IsEmpty)
        {
            return null;
        }

        bool seen = false;
        try
        {
            var reader = new Utf8JsonReader(body, Options);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return ApiProblems.MalformedJson("The body must be one JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString()!;
                if (name != "reason")
                {
                    return ApiProblems.UnknownField(name);
                }

                if (seen)
                {
                    return ApiProblems.InvalidField(name, "\"reason\" is given twice.");
                }

                seen = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return ApiProblems.InvalidField(name, "\"reason\" must be a string.");
                }

                reason = reader.GetString()!;
                if (Encoding.UTF8.GetByteCount(reason) > MaxReasonBytes)
                {
                    return ApiProblems.InvalidField(name, $"\"reason\" may have at most {MaxReasonBytes} bytes of UTF-8 (it goes into the close frame).");
                }
            }

            if (reader.Read())
            {
                return ApiProblems.MalformedJson("The body must hold one JSON object and nothing after it.");
            }
        }
        catch (JsonException ex)
        {
            return ApiProblems.MalformedJson(ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            return ApiProblems.MalformedJson(ex.Message);
        }

        return null;
    }
}
