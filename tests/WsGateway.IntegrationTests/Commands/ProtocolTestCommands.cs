using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>The commands the wsgateway.v1 tests call, in C# and from the JavaScript client.</summary>
internal static class ProtocolTestCommands
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");

    /// <summary>A gateway for them: no command times out by being slow on a busy machine, and no rate limit applies.</summary>
    public static Task<TestGateway> StartGatewayAsync(Action<WsGateway.Options.GatewayOptions>? configure = null) =>
        TestGateway.StartAsync(o =>
        {
            o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds;
            o.Commands.MessagesPerSecond = 1_000_000;
            o.Commands.Burst = 1_000_000;
            configure?.Invoke(o);
        });

    /// <returns>What the commands saw, for a test to wait on.</returns>
    public static CommandProbe Register(TestGateway gateway)
    {
        var probe = new CommandProbe();
        gateway.Gateway.Registry.SetSource("test", [
            Command("quiet", _ => ValueTask.CompletedTask),
            Command("greet", ctx => ctx.ReplyAsync($"hi {ctx.Arguments}")),
            Command("count", async ctx =>
            {
                for (int i = 1; i <= 3; i++)
                {
                    await ctx.ReplyAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }),
            Command("weather", ctx => ctx.ReplyAsync(new { City = ctx.Data?.GetProperty("city").GetString(), Celsius = 21.5 })),
            Command("notify", ctx => ctx.SendEventAsync("order.shipped", new { Order = 123 })),
            Command("boom", _ => throw new InvalidOperationException("kaboom")),
            Command("hang", async ctx => await Task.Delay(Timeout.Infinite, ctx.CancellationToken)),
            Command("secret", ctx => ctx.ReplyAsync("the secret")) with { Access = new CommandAccess(true, [["admin"]]) },
            // Replies once the gateway has received the call sent after it, which waits in the queue behind it.
            Command("second", async ctx =>
            {
                Assert.True(await Eventually.TrueAsync(async () => await gateway.MetricAsync("wsgateway_messages_received_total") >= 2, Eventually.Patience));
                await ctx.ReplyAsync("done");
            }),
            Command("join", async ctx =>
        {
            await ctx.JoinGroupAsync(ctx.Arguments);
            Interlocked.Increment(ref probe.Joins);
            await ctx.ReplyAsync("joined");
        }),
            Command("say", ctx => ctx.SendToGroupAsync("room", ctx.Arguments)),
            Command("shout", ctx => ctx.BroadcastAsync(ctx.Arguments)),
            Command("bye", async ctx =>
            {
                await ctx.ReplyAsync("Goodbye!");
                await ctx.CloseAsync(CloseCodes.NormalClosure, "bye");
            }),
            // Not a normal closure: a client is to reconnect after it.
            Command("drop", ctx => ctx.CloseAsync(4000, "drop")),
        ]);
        return probe;
    }

    public sealed class CommandProbe
    {
        /// <summary>Calls of <c>join</c> so far.</summary>
        public int Joins;
    }

    private static CommandDescriptor Command(string name, Func<ICommandContext, ValueTask> run) =>
        new(name, $"test command {name}", TestOrigin, run);
}
