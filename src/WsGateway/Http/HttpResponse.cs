using System.Text;

namespace WsGateway.Http;

/// <summary>A complete plain-HTTP answer. The gateway closes the connection after sending it.</summary>
internal sealed record HttpResponse(
    int Status,
    string ContentType,
    ReadOnlyMemory<byte> Body,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    private const string TextPlain = "text/plain; charset=utf-8";

    public static HttpResponse Text(int status, string text, IReadOnlyList<KeyValuePair<string, string>>? headers = null) =>
        new(status, TextPlain, Encoding.UTF8.GetBytes(text + "\n"), headers);
}
