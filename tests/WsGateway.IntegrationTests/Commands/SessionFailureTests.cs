using Serilog.Events;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// A command whose exception cannot even be described (its Message throws) once killed the session's worker: the
/// request went unanswered and the connection stayed open with nobody running its commands. It is a command failure
/// like any other: an error reply naming the exception's type, and the session goes on.
/// </summary>
public sealed class SessionFailureTests
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");

    /// <summary>A plugin's exception whose message cannot be rendered.</summary>
    private sealed class UnrenderableException : Exception
    {
        public override string Message => throw new FormatException("this message cannot be rendered");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task An_exception_whose_message_throws_is_answered_and_the_session_goes_on(bool afterAwaiting)
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Gateway.Registry.SetSource("test", [new CommandDescriptor("unrenderable", "fails in a way that cannot be described", TestOrigin,
            async _ =>
            {
                if (afterAwaiting)
                {
                    await Task.Yield();
                }

                throw new UnrenderableException();
            })]);

        using var client = await gateway.ConnectAsync();
        Assert.Equal(
            "error: command \"unrenderable\" failed: UnrenderableException: (its message could not be read)",
            await client.AskAsync("unrenderable"));
        Assert.StartsWith("Commands", await client.AskAsync("help"));
        Assert.Contains(gateway.Logs.Events, e => e.Level == LogEventLevel.Error && e.Exception is UnrenderableException);
        Assert.DoesNotContain(gateway.Logs.Events, e => e.MessageTemplate.Text.Contains("runs no more commands", StringComparison.Ordinal));
    }
}
