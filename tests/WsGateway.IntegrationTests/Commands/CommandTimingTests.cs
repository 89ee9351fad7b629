using System.Globalization;
using Serilog.Events;
using WsGateway.Client;
using WsGateway.IntegrationTests.Api;
using WsGateway.Options;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Commands;

/// <summary>
/// Command timings as an operator reads them: the duration histogram in <c>/metrics</c>, and one log line per command
/// at <c>Commands:LogLevel</c>, with the arguments only under <c>Commands:LogArguments</c>.
/// </summary>
public sealed class CommandTimingTests : IAsyncLifetime
{
    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync(o => o.Commands.LogLevel = CommandLogLevel.Information);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    private TestGateway Gateway => _api.Gateway;

    private IReadOnlyList<LogEvent> CommandLines(string command) =>
        [.. Gateway.Logs.Events.Where(e => e.MessageTemplate.Text.StartsWith("Command {Command} by {User}", StringComparison.Ordinal) && Equals(Property(e, "Command"), command))];

    [Fact]
    public async Task Each_command_is_timed_in_a_histogram_and_logged_once_without_its_arguments()
    {
        await using var client = await GatewayClient.ConnectAsync(Gateway.WebSocketUri(), new GatewayClientOptions { Token = ApiGateway.AliceKey, Reconnect = false });
        await client.CallAsync("greet", "private words");
        await client.CallAsync("greet", "more private words");
        await Assert.ThrowsAsync<CallException>(() => client.CallAsync("boom"));
        await Assert.ThrowsAsync<CallException>(() => client.CallAsync("secret"));

        using var http = new HttpClient { Timeout = Eventually.Patience };
        var metrics = await http.GetStringAsync(Gateway.HttpUri("/metrics"));
        Assert.Equal(2, Sample(metrics, "wsgateway_command_duration_seconds_count{command=\"greet\"}"));
        Assert.Equal(1, Sample(metrics, "wsgateway_command_duration_seconds_count{command=\"boom\"}"));
        Assert.Equal(2, Sample(metrics, "wsgateway_command_duration_seconds_bucket{command=\"greet\",le=\"+Inf\"}"));
        // A denied call did not run: counted, not timed.
        Assert.DoesNotContain("wsgateway_command_duration_seconds_count{command=\"secret\"}", metrics, StringComparison.Ordinal);

        var greets = CommandLines("greet");
        Assert.Equal(2, greets.Count);
        var line = greets[0];
        Assert.Equal(LogEventLevel.Information, line.Level);
        Assert.Equal(("alice", client.Welcome!.Session, "succeeded"), (Property(line, "User"), Property(line, "SessionId"), Property(line, "Outcome")));
        Assert.IsType<double>(Property(line, "ElapsedMs"));
        Assert.DoesNotContain(Gateway.Logs.Everything(), text => text.Contains("private words", StringComparison.Ordinal));
        Assert.Equal("failed", Property(Assert.Single(CommandLines("boom")), "Outcome"));
        Assert.Equal("denied", Property(Assert.Single(CommandLines("secret")), "Outcome"));
    }

    [Fact]
    public async Task The_level_and_the_arguments_follow_a_reload()
    {
        await using var client = await GatewayClient.ConnectAsync(Gateway.WebSocketUri(), new GatewayClientOptions { Reconnect = false });
        Reload(c => c with { LogArguments = true });
        await client.CallAsync("greet", "shown");
        var line = Assert.Single(CommandLines("greet"));
        Assert.Equal(("shown", "anonymous"), (Property(line, "Arguments"), Property(line, "User")));

        Reload(c => c with { LogLevel = CommandLogLevel.Off });
        await client.CallAsync("greet", "hidden");
        Assert.Single(CommandLines("greet"));

        // Below the logger's minimum level (Debug in these tests) nothing is written either.
        Reload(c => c with { LogLevel = CommandLogLevel.Verbose });
        await client.CallAsync("greet", "hidden");
        Assert.Single(CommandLines("greet"));
    }

    private void Reload(Func<CommandOptions, CommandOptions> change)
    {
        var current = Gateway.Gateway.Options.Current;
        Assert.Empty(Gateway.Gateway.Options.Reload(current with { Commands = change(current.Commands) }));
    }

    private static double Sample(string metrics, string series)
    {
        var line = metrics.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }
}
