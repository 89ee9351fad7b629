using System.Buffers;
using System.Text.Json;
using WsGateway.Commands;
using WsGateway.Connections;
using WsGateway.Http;
using WsGateway.Protocol;

namespace WsGateway.Handshake;

/// <summary>
/// An authentication refusal carried inside the WebSocket, for clients of <c>wsgateway.v1</c> (docs/protocol.md): a
/// browser cannot read the status of a refused handshake (a 401 reaches a page as close 1006, like a lost network), so
/// such a client is accepted, told why in an <c>error</c> frame, and closed with 4401 or 4403. Every other client
/// gets the plain HTTP refusal.
/// </summary>
internal sealed record InBandRefusal(string Code, string Message, int CloseCode)
{
    /// <summary>No credentials, or refused ones: get a (new) token, then reconnect.</summary>
    public const int Unauthorized = 4401;

    /// <summary>Good credentials, not allowed here.</summary>
    public const int Forbidden = 4403;

    /// <param name="verdict">The refusal: only authentication refusals go in band, and only to the route's protocol clients.</param>
    /// <returns>Null when the refusal goes over plain HTTP.</returns>
    public static InBandRefusal? For(UpgradeVerdict verdict, HttpRequestHead request)
    {
        // The detail is what the log line says of the refusal; the HTTP body says as much.
        var (reason, detail, route) = (verdict.Reason, verdict.Detail, verdict.RefusedRoute);
        if (reason is not ("unauthorized" or "forbidden") || route is null
            || route.SelectSubprotocol(WebSocketHandshake.GetOfferedSubprotocols(request)) != CallProtocol.Name)
        {
            return null;
        }

        if (reason == "forbidden")
        {
            return new(CallErrors.AuthForbidden, $"not allowed here: {detail}", Forbidden);
        }

        return verdict.NoCredentials
            ? new(CallErrors.AuthRequired, "credentials required: pass a token (access_token or Authorization: Bearer)", Unauthorized)
            : new(CallErrors.AuthRefused, $"credentials refused: {detail}", Unauthorized);
    }

    /// <summary>The 101 that accepts <c>wsgateway.v1</c>, the <c>error</c> frame and the close frame, in one buffer.</summary>
    public byte[] Bytes(string accept)
    {
        var error = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(error, CallProtocol.WriterOptions))
        {
            CallProtocol.WriteError(json, null, Code, Message);
        }

        Span<byte> close = stackalloc byte[MessageAssembler.ControlPayloadMax];
        int closeLength = CloseStatus.WritePayload(close, CloseCode, Code);
        var response = HttpResponseWriter.SwitchingProtocols(accept, CallProtocol.Name);
        var bytes = new byte[response.Length
            + FrameWriter.GetHeaderLength(error.WrittenCount, masked: false) + error.WrittenCount
            + FrameWriter.GetHeaderLength(closeLength, masked: false) + closeLength];
        var rest = bytes.AsSpan();
        response.CopyTo(rest);
        rest = rest[response.Length..];
        rest = rest[FrameWriter.WriteHeader(rest, Opcode.Text, fin: true, error.WrittenCount)..];
        error.WrittenSpan.CopyTo(rest);
        rest = rest[error.WrittenCount..];
        rest = rest[FrameWriter.WriteHeader(rest, Opcode.Close, fin: true, closeLength)..];
        close[..closeLength].CopyTo(rest);
        return bytes;
    }
}
