using System.Security.Cryptography;
using System.Text;

namespace WsGateway.Protocol;

/// <summary>Server side of the RFC 6455 opening handshake (section 4.2).</summary>
public static class WebSocketHandshake
{
    /// <summary>The only protocol version we speak (RFC 6455 4.4); also the value of the 426 answer's header.</summary>
    public const string SupportedVersion = "13";

    /// <summary>RFC 6455 1.3: appended to the client's key before hashing.</summary>
    public const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    // RFC 6455 4.1: the key is a base64-encoded 16-byte nonce, which is always 24 characters with "==" padding.
    private const int KeyNonceBytes = 16;
    private const int EncodedKeyLength = 24;

    /// <summary>
    /// Decides how to answer a request head, checking in the order of RFC 6455 4.2.1.
    /// </summary>
    /// <remarks>
    /// <see cref="HandshakeOutcome.NotUpgrade"/> when there is no <c>Upgrade</c> header or it does not offer
    /// "websocket": RFC 9110 7.8 lets a server ignore upgrades it does not support (e.g. <c>Upgrade: h2c</c> from
    /// <c>curl --http2</c>), so those are served as plain HTTP rather than refused. A WebSocket upgrade with another
    /// method than GET is <see cref="HandshakeOutcome.MethodNotAllowed"/> (405 with <c>Allow: GET</c>): the request is
    /// well-formed, only the method is wrong for the resource, which is what 405 means (RFC 9110 15.5.6).
    /// </remarks>
    public static HandshakeValidation Validate(HttpRequestHead request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!request.HeaderContainsToken("Upgrade", "websocket"))
        {
            return new(HandshakeOutcome.NotUpgrade, request.GetHeader("Upgrade") is null ? "No Upgrade header" : "Upgrade does not offer websocket");
        }

        if (request.Method != "GET")
        {
            return new(HandshakeOutcome.MethodNotAllowed, "WebSocket handshakes must use GET");
        }

        if (!IsHttp11OrLater(request.Version))
        {
            return new(HandshakeOutcome.BadRequest, "WebSocket handshakes need HTTP/1.1 or later");
        }

        if (string.IsNullOrEmpty(request.GetHeader("Host")))
        {
            return new(HandshakeOutcome.BadRequest, "Missing Host header");
        }

        if (!request.HeaderContainsToken("Connection", "Upgrade"))
        {
            return new(HandshakeOutcome.BadRequest, "Connection header does not contain Upgrade");
        }

        string? key = request.GetHeader("Sec-WebSocket-Key");
        if (key is null && (request.GetHeader("Sec-WebSocket-Key1") is not null || request.GetHeader("Sec-WebSocket-Key2") is not null))
        {
            return new(HandshakeOutcome.ObsoleteDraft, "Obsolete WebSocket draft (hixie-76); version 13 is required");
        }

        string? version = request.GetHeader("Sec-WebSocket-Version");
        if (version != SupportedVersion)
        {
            return new(HandshakeOutcome.UpgradeRequired, version is null ? "Missing Sec-WebSocket-Version" : "Unsupported Sec-WebSocket-Version");
        }

        if (key is null)
        {
            return new(HandshakeOutcome.BadRequest, "Missing Sec-WebSocket-Key");
        }

        if (request.CountHeader("Sec-WebSocket-Key") != 1)
        {
            return new(HandshakeOutcome.BadRequest, "More than one Sec-WebSocket-Key");
        }

        if (!IsValidKey(key))
        {
            return new(HandshakeOutcome.BadRequest, "Sec-WebSocket-Key is not base64 of 16 bytes");
        }

        return new(HandshakeOutcome.Accept, null);
    }

    /// <summary>The <c>Sec-WebSocket-Accept</c> value: base64(SHA-1(key + <see cref="AcceptGuid"/>)) (RFC 6455 4.2.2).</summary>
    public static string ComputeAccept(string secWebSocketKey)
    {
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        int maxBytes = Encoding.UTF8.GetMaxByteCount(secWebSocketKey.Length + AcceptGuid.Length);
        Span<byte> input = maxBytes <= 256 ? stackalloc byte[256] : new byte[maxBytes];
        int written = Encoding.UTF8.GetBytes(secWebSocketKey, input);
        written += Encoding.UTF8.GetBytes(AcceptGuid, input[written..]);

        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 mandates SHA-1 here; it is a handshake check, not a security primitive.
        SHA1.HashData(input[..written], hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>The subprotocols the client offers in <c>Sec-WebSocket-Protocol</c>, in order, trimmed, empties dropped.</summary>
    public static IReadOnlyList<string> GetOfferedSubprotocols(HttpRequestHead request)
    {
        ArgumentNullException.ThrowIfNull(request);
        string? header = request.GetHeader("Sec-WebSocket-Protocol");
        if (header is null)
        {
            return [];
        }

        return header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    private static bool IsHttp11OrLater(string version) =>
        version.Length == 8 && version.StartsWith("HTTP/", StringComparison.Ordinal)
        && (version[5] > '1' || (version[5] == '1' && version[7] >= '1'));

    private static bool IsValidKey(string key)
    {
        if (key.Length != EncodedKeyLength)
        {
            return false;
        }

        Span<byte> nonce = stackalloc byte[KeyNonceBytes];
        return Convert.TryFromBase64String(key, nonce, out int bytes) && bytes == KeyNonceBytes;
    }
}
