using System.Net;
using System.Net.Sockets;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// A real gateway on a loopback port chosen by the system, with a few commands of its own, that can be stopped and
/// started again on the same port (as an operator restarting it would).
/// </summary>
internal sealed class RestartableGateway : IAsyncDisposable
{
    private const string SourceKey = "test:console";
    private static readonly TimeSpan RebindDeadline = TimeSpan.FromSeconds(15);

    private Gateway? _gateway;

    private RestartableGateway(Gateway gateway, int port)
    {
        _gateway = gateway;
        Port = port;
    }

    public int Port { get; }

    public Uri HttpUri => new($"http://127.0.0.1:{Port}/");

    public static async Task<RestartableGateway> StartAsync()
    {
        var gateway = await StartGatewayAsync(port: 0);
        return new RestartableGateway(gateway, gateway.EndPoint.Port);
    }

    /// <summary>Graceful shutdown: open connections are closed with 1001.</summary>
    public async Task StopAsync()
    {
        if (_gateway is { } gateway)
        {
            _gateway = null;
            await gateway.StopAsync();
            await gateway.DisposeAsync();
        }
    }

    /// <summary>Starts a new gateway on <see cref="Port"/>, retrying while the old socket still holds the port.</summary>
    public async Task StartAgainAsync()
    {
        var deadline = DateTime.UtcNow + RebindDeadline;
        while (true)
        {
            try
            {
                _gateway = await StartGatewayAsync(Port);
                return;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private static async Task<Gateway> StartGatewayAsync(int port)
    {
        var options = new GatewayOptions
        {
            Listen = { Address = IPAddress.Loopback.ToString(), Port = port },
            Shutdown = { DrainSeconds = 2 },
        };
        var gateway = new Gateway(options, Serilog.Core.Logger.None);
        gateway.Registry.SetSource(SourceKey, Commands());
        try
        {
            await gateway.StartAsync();
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }

        return gateway;
    }

    private static CommandDescriptor[] Commands()
    {
        var origin = new CommandOrigin(CommandOriginKind.Plugin, "ConsoleTest", "1.0.0");
        return
        [
            new("hello", "Says hello", origin, context => context.ReplyAsync("Hello from the gateway!")),
            new("thanks", "You are welcome", origin, context => context.ReplyAsync("You're welcome!")),
            new("name", "Remembers your name: name <x>", origin, context =>
            {
                context.Session.Items["console-test:name"] = context.Arguments;
                return context.ReplyAsync($"Nice to meet you, {context.Arguments}.");
            }),
            new("echo", "Replies with its arguments: echo <text>", origin, context => context.ReplyAsync(context.Arguments)),
            new("bye", "Says goodbye and closes the connection", origin, async context =>
            {
                await context.ReplyAsync("Goodbye!");
                await context.CloseAsync(CloseCodes.NormalClosure, "bye");
            }),
            new(
                "weather",
                "Weather for a city: weather <city>",
                new CommandOrigin(CommandOriginKind.Script, "weather.csx"),
                context => context.ReplyAsync("weather.csx does not compile: (3,9): error CS1002: ; expected"),
                Problem: "(3,9): error CS1002: ; expected"),
        ];
    }
}
