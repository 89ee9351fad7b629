using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// A real WebSocket client (<see cref="ClientWebSocket"/>) whose socket is bound to a loopback address of the test's
/// choosing (127.0.0.2, 127.0.0.3, ...), so that its address differs from a proxy's 127.0.0.1.
/// </summary>
public sealed class ClientFrom : IAsyncDisposable
{
    private readonly HttpMessageInvoker _invoker;

    private ClientFrom(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        Socket = socket;
        _invoker = invoker;
    }

    public ClientWebSocket Socket { get; }

    /// <summary>Connects from <paramref name="local"/>; returns the client, or the HTTP status that refused it.</summary>
    public static async Task<(ClientFrom? Client, HttpStatusCode Status)> TryConnectAsync(
        IPAddress local, Uri uri, IReadOnlyDictionary<string, string>? headers = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(IPAddress.Parse(context.DnsEndPoint.Host), context.DnsEndPoint.Port, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            client.Options.SetRequestHeader(name, value);
        }

        using var timeout = new CancellationTokenSource(Eventually.Patience);
        try
        {
            await client.ConnectAsync(uri, invoker, timeout.Token);
            return (new ClientFrom(client, invoker), client.HttpStatusCode);
        }
        catch (WebSocketException)
        {
            var status = client.HttpStatusCode;
            client.Dispose();
            invoker.Dispose();
            return (null, status);
        }
    }

    public static async Task<ClientFrom> ConnectAsync(IPAddress local, Uri uri, IReadOnlyDictionary<string, string>? headers = null)
    {
        var (client, status) = await TryConnectAsync(local, uri, headers);
        return client ?? throw new InvalidOperationException($"The upgrade from {local} to {uri} was refused with {(int)status}.");
    }

    /// <summary>Sends <paramref name="text"/> and returns the next text message (on /echo, the same text).</summary>
    public async Task<string> RoundTripAsync(string text)
    {
        using var timeout = new CancellationTokenSource(Eventually.Patience);
        await Socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, timeout.Token);
        var buffer = new byte[4096];
        var result = await Socket.ReceiveAsync(buffer, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, result.Count);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
        }

        Socket.Dispose();
        _invoker.Dispose();
    }
}
