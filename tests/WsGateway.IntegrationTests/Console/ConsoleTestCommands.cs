using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Console;

/// <summary>
/// Commands the console tests talk to, registered straight into the gateway's registry so the tests need no plugin
/// build: answers with known text, one that takes arguments, one that closes, one broken script, one that answers
/// nothing, and a group, a broadcast and a named event.
/// </summary>
internal static class ConsoleTestCommands
{
    /// <summary>The group <c>say</c> sends to.</summary>
    public const string Lobby = "room:lobby";

    private const string SourceKey = "test:console";

    public static void Register(Gateway gateway)
    {
        var origin = new CommandOrigin(CommandOriginKind.Plugin, "ConsoleTest", "1.0.0");
        gateway.Registry.SetSource(SourceKey,
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
            new("quiet", "Does its work and says nothing", origin, _ => ValueTask.CompletedTask),
            new("join", "Joins a group: join <group>", origin, context => context.JoinGroupAsync(context.Arguments)),
            new("say", "Says something to room:lobby: say <text>", origin, context => context.SendToGroupAsync(Lobby, context.Arguments)),
            new("shout", "Says something to everyone: shout <text>", origin, context => context.BroadcastAsync(context.Arguments)),
            new("notify", "Sends the event order.shipped with data", origin, context => context.SendEventAsync("order.shipped", new { Order = 123 })),
            new(
                "weather",
                "Weather for a city: weather <city>",
                new CommandOrigin(CommandOriginKind.Script, "weather.csx"),
                context => context.ReplyAsync("weather.csx does not compile: (3,9): error CS1002: ; expected"),
                Problem: "(3,9): error CS1002: ; expected"),
        ]);
    }
}
