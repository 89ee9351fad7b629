using System.Net.WebSockets;
using System.Text;

namespace WsGateway.IntegrationTests.Infrastructure;

public static class ClientWebSocketExtensions
{
    // Only a hang reaches it: on a busy two-core machine a reply can take seconds, and a test must not fail for that.
    private static readonly TimeSpan DefaultTimeout = Eventually.Patience;

    public static Task SendTextAsync(this WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Receives one whole message; throws on close or after the timeout.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Data)> ReceiveMessageAsync(this WebSocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"Closed by server: {(int?)result.CloseStatus} {result.CloseStatusDescription}");
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    public static async Task<string> ReceiveTextAsync(this WebSocket socket, TimeSpan? timeout = null)
    {
        var (type, data) = await socket.ReceiveMessageAsync(timeout);
        Assert.Equal(WebSocketMessageType.Text, type);
        return Encoding.UTF8.GetString(data);
    }

    public static async Task<string> AskAsync(this WebSocket socket, string text, TimeSpan? timeout = null)
    {
        await socket.SendTextAsync(text);
        return await socket.ReceiveTextAsync(timeout);
    }

    /// <summary>Asks again and again (a reload is under way) until a reply is accepted or the time is up.</summary>
    public static async Task<string> AskUntilAsync(this WebSocket socket, string command, Func<string, bool> accept, TimeSpan within)
    {
        var reply = await Eventually.ValueAsync(() => socket.AskAsync(command)!, r => r is not null && accept(r), within);
        return reply!;
    }

    /// <summary>Reads until the server's close frame and returns its status.</summary>
    public static async Task<(WebSocketCloseStatus? Status, string? Description)> ReceiveCloseAsync(this WebSocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (result.CloseStatus, result.CloseStatusDescription);
            }
        }
    }
}
