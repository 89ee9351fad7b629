using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;

// The SignalR reference for tests/WsGateway.Benchmark: ASP.NET Core's own SignalR with its defaults (JSON hub
// protocol, every transport), one hub on /hub, written as its documentation writes hubs. The load generator connects
// with a WebSocket straight to /hub (no negotiate request, as SignalR's clients do with SkipNegotiation) and speaks the
// JSON hub protocol itself. Usage: WsGateway.Benchmark.SignalR --urls http://127.0.0.1:0
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSignalR();
var app = builder.Build();
app.MapHub<BenchmarkHub>("/hub");

app.Lifetime.ApplicationStarted.Register(() =>
{
    // run.sh reads the port that --urls http://127.0.0.1:0 ended up with from this line.
    foreach (var address in app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses)
    {
        Console.WriteLine($"Listening on {address}");
    }
});

await app.RunAsync();

/// <summary>
/// The command-like call and the broadcasts. Each method is the one line a SignalR user writes: the reply goes to the
/// caller, a broadcast to everyone (<c>Clients.All</c>, the sender too) or to a group, as a push of the method
/// "Echo" or "Broadcast" with the message as its one argument.
/// </summary>
internal sealed class BenchmarkHub : Hub
{
    public Task Echo(string message) => Clients.Caller.SendAsync("Echo", message);

    public Task Broadcast(string message) => Clients.All.SendAsync("Broadcast", message);

    public Task JoinGroup(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);

    public Task BroadcastGroup(string group, string message) => Clients.Group(group).SendAsync("Broadcast", message);
}
