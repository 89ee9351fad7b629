using System.Text.Json;
using System.Text.Unicode;
using WsGateway.Commands;
using static WsGateway.Fuzz.FuzzInvariantException;

namespace WsGateway.Fuzz;

/// <summary>
/// <see cref="CommandRequestParser"/> on one message payload: plain text or a JSON envelope. Input: the payload.
/// </summary>
internal static class CommandTarget
{
    private static readonly char[] Blanks = [' ', '\t', '\r', '\n'];

    public static void Run(ReadOnlySpan<byte> input)
    {
        // The command route hands the parser valid UTF-8 only: the assembler validates text messages and the route
        // refuses binary ones that are not UTF-8 before parsing.
        if (!Utf8.IsValid(input))
        {
            return;
        }

        var request = CommandRequestParser.Parse(input);
        if (request.Error is not null)
        {
            Check(request.IsEnvelope && request.Name.Length == 0 && request.Error.Length > 0, $"error '{request.Error}' for name '{request.Name}'");
            return;
        }

        if (request.IsEnvelope)
        {
            Check(request.Name.Length > 0 && request.Name == request.Name.Trim(), $"envelope command '{request.Name}'");
            Check(request.Id!.Length == 0 || IsJsonStringOrNumber(request.Id), $"envelope id {request.Id}");
        }
        else
        {
            Check(request.Name.IndexOfAny(Blanks.AsSpan(0, 2)) < 0, $"plain name '{request.Name}' holds a blank");
            Check(request.Arguments.Length == 0 || (Array.IndexOf(Blanks, request.Arguments[0]) < 0 && Array.IndexOf(Blanks, request.Arguments[^1]) < 0),
                $"plain arguments '{request.Arguments}' are not trimmed");
            Check(request.Name.Length > 0 || request.Arguments.Length == 0, "plain arguments without a name");
        }
    }

    /// <summary>The id is echoed back as the JSON it was: exactly one string or number token.</summary>
    private static bool IsJsonStringOrNumber(string id)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(id));
        return reader.Read() && reader.TokenType is JsonTokenType.String or JsonTokenType.Number && !reader.Read();
    }
}
