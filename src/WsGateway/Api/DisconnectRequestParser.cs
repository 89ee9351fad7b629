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

    public static ApiProblem? TryParse(ReadOnlySpan<byte> body, out string reason)
    {
        reason = "";
        if (body.IsEmpty)
        {
            return null;
        }

        string found = "";
        var problem = StrictJsonObject.Read(body, (string name, ref Utf8JsonReader reader, ReadOnlySpan<byte> _) =>
        {
            if (name != "reason")
            {
                return ApiProblems.UnknownField(name);
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                return ApiProblems.InvalidField(name, "\"reason\" must be a string.");
            }

            found = reader.GetString()!;
            return Encoding.UTF8.GetByteCount(found) > MaxReasonBytes
                ? ApiProblems.InvalidField(name, $"\"reason\" may have at most {MaxReasonBytes} bytes of UTF-8 (it goes into the close frame).")
                : null;
        });
        reason = found;
        return problem;
    }
}
