using System.Buffers;
using System.Text;

namespace WsGateway.Http;

/// <summary>Writes HTTP/1.1 responses: plain routes, handshake refusals and the 101 upgrade.</summary>
internal static class HttpResponseWriter
{
    public static void Write(IBufferWriter<byte> output, HttpResponse response, bool headOnly)
    {
        var head = new StringBuilder(256)
            .Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(ReasonPhrase(response.Status)).Append("\r\n")
            .Append("Content-Type: ").Append(response.ContentType).Append("\r\n");
        if (response.Status != 304)
        {
            // A 304 may only carry the length of the 200 it stands for (RFC 9110 section 8.6); none is simplest.
            head.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
        }

        head.Append("X-Content-Type-Options: nosniff\r\n")
            .Append("Connection: close\r\n");
        foreach (var (name, value) in response.Headers ?? [])
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("\r\n");
        output.Write(Encoding.ASCII.GetBytes(head.ToString()));
        if (!headOnly)
        {
            output.Write(response.Body.Span);
        }
    }

    /// <summary>The 101 response head; the connection itself sends it (see <c>WebSocketConnection.RunAsync</c>).</summary>
    public static byte[] SwitchingProtocols(string accept, string? subprotocol, string? extensions = null) => Encoding.ASCII.GetBytes(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept +
        (subprotocol is null ? "" : "\r\nSec-WebSocket-Protocol: " + subprotocol) +
        (extensions is null ? "" : "\r\nSec-WebSocket-Extensions: " + extensions) + "\r\n\r\n");

    public static string ReasonPhrase(int status) => status switch
    {
        101 => "Switching Protocols",
        200 => "OK",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        426 => "Upgrade Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
