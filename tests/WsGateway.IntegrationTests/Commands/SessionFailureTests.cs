using System.Net.WebSockets;
using Serilog.Events;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// A failure in a command session's own machinery (not in a command, whose failure is an error reply) must not leave
/// the connection open with nobody running its commands: it is logged and the connection closes with 1011.
/// </summary>
public sealed class SessionFailureTests
{
    private static readonly CommandOrigin TestOrigin = new(CommandOriginKind.Plugin, "TestCommands", "1.0.0");

    /// <summary>A plugin's exception whose message cannot be rendered: the session's error reply to it throws.</summary>
    private sealed class UnrenderableException : Exception
    {
        public override string Message => throw new FormatException("this message cannot be rendered");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_failure_outside_the_command_is_logged_and_closes_the_connection_with_1011(bool afterAwaiting)
    {
        await using var gateway = await TestGateway.StartAsync();
        gateway.Gateway.Registry.SetSource("test", [new CommandDescriptor("unrenderable", "fails in a way the session cannot describe", TestOrigin,
            async _ =>
            {
                if (afterAwaiting)
                {
                    await Task.Yield();
                }

                throw new UnrenderableException();
            })]);

        using var client = await gateway.ConnectAsync();
        await client.SendTextAsync("unrenderable");

        var (status, _) = await client.ReceiveCloseAsync(Eventually.Patience);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, status);
        var logged = Assert.Single(gateway.Logs.Events, e => e.Level == LogEventLevel.Error && e.Exception is FormatException);
        // A message template with properties, not an interpolated string.
        Assert.Contains("{SessionId}", logged.MessageTemplate.Text, StringComparison.Ordinal);
        Assert.Equal("1011", logged.Properties["CloseCode"].ToString());

        // Only that connection paid for it.
        using var other = await gateway.ConnectAsync();
        Assert.StartsWith("Commands", await other.AskAsync("help"));
    }
}
