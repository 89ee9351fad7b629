using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The Kestrel reference for tests/WsGateway.Benchmark: ASP.NET Core's WebSocket middleware and the receive/send loop
// from its documentation, on /echo. Text messages that start with a command are not echoed:
//   "/bcast TEXT"        sends TEXT to every connected client (the sender too)
//   "/join NAME"         adds the sender to group NAME and answers "joined NAME"
//   "/group NAME TEXT"   sends TEXT to every member of group NAME (the sender too, when it is one)
// Usage: WsGateway.Benchmark.KestrelEcho --urls http://127.0.0.1:0
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var clients = new ConcurrentDictionary<Client, byte>();
var groups = new GroupTable();
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
        await EchoAsync(client, clients, groups, context.RequestAborted);
    }
    catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
    {
        // The peer vanished, or a broadcast aborted it for not reading.
    }
    finally
    {
        clients.TryRemove(client, out _);
        groups.LeaveAll(client);
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
// client's send lock because a broadcast from another connection's loop may send on the same socket.
static async Task EchoAsync(Client client, ConcurrentDictionary<Client, byte> clients, GroupTable groups, CancellationToken cancellationToken)
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
        var message = buffer.AsSpan(0, result.Count);
        bool command = result.MessageType == WebSocketMessageType.Text && result.EndOfMessage && message.StartsWith("/"u8);
        int space;
        if (command && message.StartsWith("/bcast "u8))
        {
            await BroadcastAsync(clients, message[7..].ToArray());
        }
        else if (command && message.StartsWith("/join "u8))
        {
            string name = Encoding.UTF8.GetString(message[6..]);
            groups.Join(name, client);
            await ReplyAsync(client, $"joined {name}", cancellationToken);
        }
        else if (command && message.StartsWith("/group "u8) && (space = message[7..].IndexOf((byte)' ')) > 0)
        {
            // The group's name as a string (one per message) is what a user writes to look it up; the text is copied
            // once, as for /bcast.
            if (groups.Members(Encoding.UTF8.GetString(message.Slice(7, space))) is { } members)
            {
                await BroadcastAsync(members, message[(7 + space + 1)..].ToArray());
            }
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

// A text reply to the client, under its send lock like every send to it.
static async Task ReplyAsync(Client client, string text, CancellationToken cancellationToken)
{
    await client.SendLock.WaitAsync(cancellationToken);
    try
    {
        await client.WebSocket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
    }
    finally
    {
        client.SendLock.Release();
    }
}

// The plain broadcast, to everyone or to a group's members: every client's SendAsync (under its own lock) started at once, then all awaited together. The
// payload was copied once, so the sender's receive buffer is free again. A send that the socket takes at once
// completes synchronously (ManagedWebSocket's fast path, as no CancellationToken is passed), and a broadcast whose
// sends all did starts no timer.
//
// A receiver that stops reading would hold every broadcast forever (its send never completes, and the next broadcast
// is not read until this one is done), so the sends get Client.SendTimeout together: whoever has not taken its frame
// by then is aborted and dropped, and the next broadcast goes on without it. One timeout per broadcast, not a
// CancellationToken per send: a cancelable token sends every frame through ManagedWebSocket's slower path (a task and
// a registration per send), while Task.WaitAsync starts a timer only when some send is still pending. ASP.NET Core's
// SignalR does the same with its TransportSendTimeout (10 s); one second is far beyond what a reading client's send
// waits on loopback and short enough for a benchmark run to see the others go on. In the bcast-stall case this
// happens once, at the first broadcast.
static async Task BroadcastAsync(ConcurrentDictionary<Client, byte> clients, byte[] payload)
{
    var targets = new List<Client>(clients.Count);
    var sends = new List<Task>(clients.Count);
    foreach (var (client, _) in clients)
    {
        targets.Add(client);
        sends.Add(client.SendAsync(payload));
    }

    try
    {
        await Task.WhenAll(sends).WaitAsync(Client.SendTimeout);
    }
    catch (TimeoutException)
    {
        for (int i = 0; i < sends.Count; i++)
        {
            if (!sends[i].IsCompleted)
            {
                clients.TryRemove(targets[i], out _);
                targets[i].WebSocket.Abort();
            }
        }
    }
}

/// <summary>
/// Groups the way a Kestrel user keeps them: a concurrent dictionary of members per name, so that a send enumerates the
/// group's members without a lock or a copy while others join and leave, as <c>clients</c> does for /bcast.
/// </summary>
internal sealed class GroupTable
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Client, byte>> _groups = new(StringComparer.Ordinal);

    public void Join(string name, Client client)
    {
        _groups.GetOrAdd(name, static _ => new()).TryAdd(client, 0);
        client.Groups.Add(name);
    }

    /// <returns>Null when nobody has joined <paramref name="name"/>.</returns>
    public ConcurrentDictionary<Client, byte>? Members(string name) => _groups.TryGetValue(name, out var members) ? members : null;

    /// <summary>
    /// The client's loop has ended: out of every group it joined. A group left empty stays (a few names in the
    /// benchmark; removing it safely against a concurrent join needs a lock, which the plain code does without).
    /// </summary>
    public void LeaveAll(Client client)
    {
        foreach (var name in client.Groups)
        {
            if (_groups.TryGetValue(name, out var members))
            {
                members.TryRemove(client, out _);
            }
        }
    }
}

/// <summary>
/// A connected client. ManagedWebSocket allows one SendAsync at a time, so the echo loop and broadcasts from other
/// connections' loops take turns with a lock (uncontended without broadcasts: WaitAsync then completes at once
/// without allocating).
/// </summary>
internal sealed class Client(WebSocket webSocket)
{
    /// <summary>How long a broadcast waits for a client to take its frame before it aborts it.</summary>
    public static readonly TimeSpan SendTimeout = TimeSpan.FromSeconds(1);

    public WebSocket WebSocket => webSocket;

    public SemaphoreSlim SendLock { get; } = new(1, 1);

    /// <summary>The groups it joined; only its own loop changes or reads this list.</summary>
    public List<string> Groups { get; } = [];

    /// <summary>One broadcast frame; a client that is closing or was aborted is skipped.</summary>
    public async Task SendAsync(byte[] message)
    {
        await SendLock.WaitAsync();
        try
        {
            await webSocket.SendAsync(message.AsMemory(), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Closed or aborted: its own loop ends and removes it.
        }
        finally
        {
            SendLock.Release();
        }
    }
}
