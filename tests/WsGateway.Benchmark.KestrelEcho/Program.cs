using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The Kestrel reference for tests/WsGateway.Benchmark: ASP.NET Core's WebSocket middleware and the receive/send loop
// from its documentation, on /echo. A text message starting with "/bcast " sends the rest to every connected client
// (the sender too) instead. Usage: WsGateway.Benchmark.KestrelEcho --urls http://127.0.0.1:0
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var clients = new ConcurrentDictionary<Client, byte>();
app.UseWebSockets();
app.Map("/echo", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    // Compression only when the client offers it (the json-deflate cases); no other case does.
    using var webSocket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { DangerousEnableCompression = true });
    var client = new Client(webSocket);
    clients.TryAdd(client, 0);
    try
    {
        await EchoAsync(client, clients, context.RequestAborted);
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
    {
        // The peer vanished, or a broadcast dropped it for not reading.
    }
    finally
    {
        clients.TryRemove(client, out _);
        await client.CompleteAsync();
    }
});

app.Lifetime.ApplicationStarted.Register(() =>
{
    // run.sh reads the port that --urls http://127.0.0.1:0 ended up with from this line.
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
    {
        Console.WriteLine($"Listening on {address}");
    }
});

await app.RunAsync();

// The documented loop, with the Memory overloads (no allocation per call) and a buffer that holds the largest
// benchmark message (64 KiB) in one receive, so a large message is not echoed as many fragments. Sends take the
// client's send lock because broadcasts go out on the same socket from its queue.
static async Task EchoAsync(Client client, ConcurrentDictionary<Client, byte> clients, CancellationToken cancellationToken)
{
    var webSocket = client.WebSocket;

    // A zero-byte receive first, as SignalR does for idle connections: until its first message arrives, a connection
    // holds no receive buffer, so the idle case measures Kestrel and its WebSocket, not our 64 KiB. It returns when a
    // frame starts; an empty message is then already complete.
    var result = await webSocket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
    var buffer = new byte[64 * 1024];
    if (result.MessageType != WebSocketMessageType.Close && !result.EndOfMessage)
    {
        result = await webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
    }

    while (result.MessageType != WebSocketMessageType.Close)
    {
        if (result.MessageType == WebSocketMessageType.Text && result.EndOfMessage && buffer.AsSpan(0, result.Count).StartsWith("/bcast "u8))
        {
            Broadcast(clients, buffer.AsSpan(7, result.Count - 7).ToArray());
        }
        else
        {
            await client.SendLock.WaitAsync(cancellationToken);
            try
            {
                await webSocket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
            }
            finally
            {
                client.SendLock.Release();
            }
        }

        result = await webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
    }

    await client.SendLock.WaitAsync(cancellationToken);
    try
    {
        await webSocket.CloseAsync(webSocket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, webSocket.CloseStatusDescription, cancellationToken);
    }
    finally
    {
        client.SendLock.Release();
    }
}

// The payload was copied once; every client's queue gets the same array. A client whose queue is full is dropped, so
// one that stopped reading costs the others nothing and holds at most its queue.
static void Broadcast(ConcurrentDictionary<Client, byte> clients, byte[] payload)
{
    foreach (var (client, _) in clients)
    {
        if (!client.TryEnqueue(payload))
        {
            client.WebSocket.Abort();
        }
    }
}

/// <summary>
/// A connected client. ManagedWebSocket allows one SendAsync at a time, so broadcasts wait in a small bounded queue
/// that one loop per client sends, and that loop and the echo loop take turns with a lock (uncontended when there are
/// no broadcasts: WaitAsync then completes at once without allocating). The queue and its loop start with the first
/// broadcast, so a connection that never gets one (the echo and idle cases) carries none of it.
/// </summary>
internal sealed class Client(WebSocket webSocket)
{
    private const int QueueCapacity = 256;

    private readonly Lock _lock = new();
    private Channel<byte[]>? _queue;
    private Task _sending = Task.CompletedTask;
    private bool _completed;

    public WebSocket WebSocket => webSocket;

    public SemaphoreSlim SendLock { get; } = new(1, 1);

    /// <returns>False when the queue is full (a client that is closing refuses nothing).</returns>
    public bool TryEnqueue(byte[] message)
    {
        var queue = Volatile.Read(ref _queue);
        if (queue is null)
        {
            lock (_lock)
            {
                if (_completed)
                {
                    return true;
                }

                if (_queue is null)
                {
                    _queue = Channel.CreateBounded<byte[]>(
                        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
                    _sending = SendQueuedAsync(_queue.Reader);
                }

                queue = _queue;
            }
        }

        return queue.Writer.TryWrite(message) || Volatile.Read(ref _completed);
    }

    /// <summary>Takes no more broadcasts and waits for the send loop to end (it fails fast once the socket is closed).</summary>
    public Task CompleteAsync()
    {
        lock (_lock)
        {
            _completed = true;
            _queue?.Writer.TryComplete();
            return _sending;
        }
    }

    private async Task SendQueuedAsync(ChannelReader<byte[]> reader)
    {
        try
        {
            await foreach (var message in reader.ReadAllAsync())
            {
                await SendLock.WaitAsync();
                try
                {
                    await webSocket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
                finally
                {
                    SendLock.Release();
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // Closed or aborted: what is still queued is dropped with the client.
        }
    }
}
