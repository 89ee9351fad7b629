using System.Net;
using System.Text;
using WsGateway.Authentication;
using WsGateway.Protocol;

namespace WsGateway.Tests.Authentication;

/// <summary>Upgrade request heads as a client sends them, parsed the way the gateway parses them.</summary>
internal static class Requests
{
    public const string Key = "dGhlIHNhbXBsZSBub25jZQ==";

    public static readonly IPEndPoint Remote = new(IPAddress.Loopback, 50000);

    /// <summary>A complete, valid WebSocket upgrade to <paramref name="target"/> with the extra header lines given.</summary>
    public static HttpRequestHead Upgrade(string target = "/", params string[] headers) =>
        Head($"GET {target} HTTP/1.1", ["Host: localhost", "Upgrade: websocket", "Connection: Upgrade", $"Sec-WebSocket-Key: {Key}", "Sec-WebSocket-Version: 13", .. headers]);

    /// <summary>An upgrade carrying <c>Authorization: Bearer <paramref name="credential"/></c>.</summary>
    public static HttpRequestHead WithBearer(string credential, string target = "/") => Upgrade(target, $"Authorization: Bearer {credential}");

    public static HttpRequestHead Head(string requestLine, IEnumerable<string> headers)
    {
        var text = requestLine + "\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";
        Assert.True(HandshakeParser.TryParse(Encoding.ASCII.GetBytes(text), out var head, out var error), error);
        return head;
    }

    /// <summary>What an authenticator sees of <paramref name="head"/>.</summary>
    public static UpgradeRequest Seen(HttpRequestHead head) => new(head, Remote);

    public static UpgradeRequest Bearer(string credential) => Seen(WithBearer(credential));
}
