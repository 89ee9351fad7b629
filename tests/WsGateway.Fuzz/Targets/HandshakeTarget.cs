using System.Buffers;
using WsGateway.Protocol;
using static WsGateway.Fuzz.FuzzInvariantException;

namespace WsGateway.Fuzz;

/// <summary>
/// The upgrade request path: <see cref="RequestHeadReader"/> finds the head in segmented bytes, then
/// <see cref="HandshakeParser"/> and <see cref="WebSocketHandshake"/> do what the gateway does with it.
/// Input: [segment length] then the bytes a client sends.
/// </summary>
internal static class HandshakeTarget
{
    // Small, so that afl reaches the too-large answer with small inputs.
    private const int MaxHeadBytes = 512;

    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    public static void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        int segmentLength = input[0];
        byte[] data = input[1..].ToArray();

        // The parser's input is meant to end with CRLF CRLF; anything else must still be refused, never thrown on.
        Parse(data);

        var status = RequestHeadReader.TryFindHead(Segments.Split(data, segmentLength), MaxHeadBytes, out int headLength);
        int end = data.AsSpan(0, Math.Min(data.Length, MaxHeadBytes)).IndexOf(EndOfHead);
        switch (status)
        {
            case HeadReadStatus.Complete:
                Check(end >= 0 && headLength == end + EndOfHead.Length, $"head length {headLength}, but the first CRLF CRLF ends at {end + 4}");
                Parse(data[..headLength]);
                break;
            case HeadReadStatus.NeedMoreData:
                Check(end < 0 && data.Length < MaxHeadBytes, $"asked for more data with {data.Length} bytes, CRLF CRLF at {end}");
                break;
            case HeadReadStatus.TooLarge:
                Check(end < 0 && data.Length >= MaxHeadBytes, $"too large with {data.Length} bytes, CRLF CRLF at {end}");
                break;
            default:
                Check(false, $"unknown status {status}");
                break;
        }
    }

    private static void Parse(byte[] head)
    {
        if (!HandshakeParser.TryParse(head, out var request, out string? error))
        {
            Check(request is null && !string.IsNullOrEmpty(error), "a refused head needs a reason and no request");
            return;
        }

        Check(error is null, "an accepted head has no error");
        Check(request.Path == "*" || request.Path.StartsWith('/'), $"path {request.Path}");
        Check(request.Query.Length == 0 || request.Query[0] == '?', $"query {request.Query}");

        var validation = WebSocketHandshake.Validate(request);
        Check(Enum.IsDefined(validation.Outcome), $"outcome {validation.Outcome}");
        Check(validation.Outcome == HandshakeOutcome.Accept ? validation.Reason is null : !string.IsNullOrEmpty(validation.Reason),
            $"{validation.Outcome} with reason '{validation.Reason}'");
        _ = WebSocketHandshake.GetOfferedSubprotocols(request);
        if (validation.Outcome == HandshakeOutcome.Accept)
        {
            string accept = WebSocketHandshake.ComputeAccept(request.GetHeader("Sec-WebSocket-Key")!);
            Check(accept.Length == 28, $"Sec-WebSocket-Accept {accept}");
        }
    }
}
