using System.Text.Json;

namespace WsGateway.Api;

/// <summary>
/// The frame every API body shares: one JSON object and nothing after it, each field once, read by the caller's field
/// reader; what breaks the frame is a <c>malformed-json</c> or <c>invalid-field</c> problem, never an exception. Pure.
/// </summary>
internal static class StrictJsonObject
{
    private static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 };

    /// <summary>Reads one field's value, the reader on its first token; a problem stops the read.</summary>
    public delegate ApiProblem? FieldReader(string name, ref Utf8JsonReader reader, ReadOnlySpan<byte> body);

    public static ApiProblem? Read(ReadOnlySpan<byte> body, FieldReader field)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
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
                if (!seen.Add(name))
                {
                    return ApiProblems.InvalidField(name, $"\"{name}\" is given twice.");
                }

                reader.Read();
                if (field(name, ref reader, body) is { } problem)
                {
                    return problem;
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
            // GetString on a string that is not valid UTF-8.
            return ApiProblems.MalformedJson(ex.Message);
        }

        return null;
    }
}
