using System.Net.WebSockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

// The Kestrel reference for tests/WsGateway.Benchmark: ASP.NET Core's WebSocket middleware and the receive/send loop
// from its documentation, on /echo. Usage: WsGateway.Benchmark.KestrelEcho --urls http://127.0.0.1:0
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
app.UseWebSockets();
app.Map("/echo", async context =>
{
    if (!context.WebSockets.IsWebSocketRequest)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return;
    }

    using var webSocket = await context.WebSockets.AcceptWebSocketAsync();
    await EchoAsync(webSocket, context.RequestAborted);
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
// benchmark message (64 KiB) in one receive, so a large message is not echoed as many fragments.
static async Task EchoAsync(WebSocket webSocket, CancellationToken cancellationToken)
{
    var buffer = new byte[64 * 1024];
    var result = await webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
    while (result.MessageType != WebSocketMessageType.Close)
    {
        await webSocket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, cancellationToken);
        result = await webSocket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
    }

    await webSocket.CloseAsync(webSocket.CloseStatus ?? WebSocketCloseStatus.NormalClosure, webSocket.CloseStatusDescription, cancellationToken);
}
