using System.Net.WebSockets;
using System.Text;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// A real <see cref="ClientWebSocket"/> on a gateway's command route that keeps every text message it receives
/// (replies, broadcasts and group messages alike, in arrival order), so a test can count what reached it.
/// </summary>
public sealed class ListeningClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly List<string> _received = [];
    private readonly Task _receiving;

    private ListeningClient(string name, Uri uri, ClientWebSocket socket)
    {
        Name = name;
        Node = uri.Authority;
        _socket = socket;
        _receiving = ReceiveAllAsync();
    }

    /// <summary>The test's name for it, in failure messages.</summary>
    public string Name { get; }

    /// <summary>The address and port of the gateway it is connected to: clients with the same one share a node.</summary>
    public string Node { get; }

    /// <summary>How the receive loop ended, when it did: null while open or after a close frame.</summary>
    public Exception? Failure { get; private set; }

    public IReadOnlyList<string> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<ListeningClient> ConnectAsync(TestGateway gateway, string name) =>
        new(name, gateway.WebSocketUri(), await gateway.ConnectAsync());

    /// <summary>Connects to a gateway that is not a <see cref="TestGateway"/> (a host process).</summary>
    public static async Task<ListeningClient> ConnectAsync(Uri uri, string name)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await socket.ConnectAsync(uri, timeout.Token);
        return new(name, uri, socket);
    }

    public Task SendAsync(string text) => _socket.SendTextAsync(text);

    /// <summary>How many received messages are exactly <paramref name="text"/>.</summary>
    public int Count(string text) => Received.Count(m => m == text);

    /// <summary>Waits until a message matching <paramref name="match"/> has arrived; false after <see cref="Eventually.Patience"/>.</summary>
    public Task<bool> HasReceivedAsync(Func<string, bool> match) =>
        Eventually.TrueAsync(() => Received.Any(match), Eventually.Patience);

    public Task<bool> HasReceivedAsync(string text) => HasReceivedAsync(m => m == text);

    /// <summary>Sends <paramref name="command"/> and returns the first message after it that <paramref name="isReply"/> accepts.</summary>
    public async Task<string> AskAsync(string command, Func<string, bool> isReply)
    {
        int before = Received.Count;
        await SendAsync(command);
        string? reply = null;
        await Eventually.TrueAsync(
            () => (reply = Received.Skip(before).FirstOrDefault(isReply)) is not null,
            Eventually.Patience);
        return reply ?? throw new TimeoutException($"{Name} got no reply to \"{command}\"; it received: {Describe()}");
    }

    public string Describe() => $"[{string.Join(" | ", Received)}]";

    /// <summary>Closes with the close handshake; the receive loop then ends.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
        await _receiving.WaitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await CloseAsync();
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
            }
        }

        _socket.Dispose();
        try
        {
            await _receiving;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ReceiveAllAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    var text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
                    message.SetLength(0);
                    lock (_received)
                    {
                        _received.Add(text);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            Failure = ex;
        }
    }
}
