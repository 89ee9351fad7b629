using System.Net.WebSockets;
using System.Text.Json;
using WsGateway.Client;
using static WsGateway.IntegrationTests.Authentication.Handshakes;

namespace WsGateway.IntegrationTests.Authentication;

/// <summary>
/// Per-command authorization: a plugin command with <c>[RequiresRole("admin")]</c> and a script with
/// <c>// requires: role admin</c>, run by callers with and without the role.
/// </summary>
public sealed class CommandAccessTests(PluginGatewayFixture fixture) : IClassFixture<PluginGatewayFixture>
{
    private TestGateway Gateway => fixture.Gateway;

    private Task<ClientWebSocket> ConnectAsync(string user, string? roles = null) => Gateway.ConnectAsync(configure: options =>
    {
        options.SetRequestHeader("X-Test-User", user);
        if (roles is not null)
        {
            options.SetRequestHeader("X-Test-Roles", roles);
        }
    });

    private static string[] HelpNames(string help) =>
        [.. help.Split('\n').Skip(1).Select(line => line.Trim().Split(' ', 2)[0])];

    [Fact]
    public async Task A_caller_without_the_role_gets_an_error_reply_and_the_connection_stays_open()
    {
        var before = await MetricsAsync(Gateway);
        using var client = await ConnectAsync("dave", "ops");

        Assert.Equal("error: command \"secret\" requires the role admin (you are dave)", await client.AskAsync("secret"));
        Assert.Equal("error: command \"report\" requires the role admin (you are dave)", await client.AskAsync("report"));
        Assert.Equal("dave (authenticated by testheader); roles: ops", await client.AskAsync("whoami"));
        Assert.Equal(WebSocketState.Open, client.State);

        var help = HelpNames(await client.AskAsync("help"));
        Assert.Contains("whoami", help);
        Assert.DoesNotContain("secret", help);
        Assert.DoesNotContain("report", help);
        // help answers as the call did: the command exists and needs a role (docs/protocol.md, "help").
        Assert.Equal("error: command \"secret\" requires the role admin (you are dave)", await client.AskAsync("help secret"));
        Assert.Equal("error: unknown command \"nothing\"; send \"help\" to list commands", await client.AskAsync("help nothing"));

        var after = await MetricsAsync(Gateway);
        foreach (var command in new[] { "secret", "report" })
        {
            var series = $"wsgateway_commands_total{{command=\"{command}\",outcome=\"denied\"}}";
            Assert.Equal(Sample(before, series) + 1, Sample(after, series));
        }

        Assert.Contains(Gateway.Logs.Events, e =>
            e.MessageTemplate.Text.StartsWith("Command {Command} refused", StringComparison.Ordinal) && Equals(Property(e, "User"), "dave"));
    }

    [Fact]
    public async Task A_caller_with_the_role_gets_the_commands_replies_and_sees_them_in_help()
    {
        using var client = await ConnectAsync("erin", "ops,admin");

        Assert.Equal("the secret is 42, erin", await client.AskAsync("secret"));
        Assert.Equal("report for admins", await client.AskAsync("report"));

        var help = await client.AskAsync("help");
        Assert.Contains("secret", HelpNames(help));
        Assert.Contains("report", HelpNames(help));
        Assert.Contains(help.Split('\n'), line => line.Contains("secret", StringComparison.Ordinal) && line.Contains("(requires admin)", StringComparison.Ordinal));
        Assert.Contains("\"requires\":\"admin\"", await client.AskAsync("help --json"));

        // The plugin command's own log line comes through the session's logger, so it names the caller.
        Assert.Contains(Gateway.Logs.Events, e => e.MessageTemplate.Text == "Telling the secret" && Equals(Property(e, "User"), "erin"));
        var metrics = await MetricsAsync(Gateway);
        Assert.True(Sample(metrics, "wsgateway_commands_total{command=\"secret\",outcome=\"succeeded\"}") >= 1);
    }

    [Fact]
    public async Task A_script_whose_requires_line_does_not_parse_is_not_published_and_the_log_says_where()
    {
        using var client = await ConnectAsync("erin", "admin");

        // Published broken: listed for everyone with its problem, answering only with the problem.
        var help = await client.AskAsync("help broken");
        Assert.Contains("BROKEN: broken.csx(2,", help);
        Assert.Contains("WSG0001", help);
        var reply = await client.AskAsync("broken");
        Assert.StartsWith("error: script command \"broken\" is broken: broken.csx(2,", reply);
        Assert.DoesNotContain("broken ran", reply);

        var logged = Assert.Single(Gateway.Logs.Events, e =>
            e.MessageTemplate.Text.StartsWith("Script {File}({Line},{Column})", StringComparison.Ordinal) && Equals(Property(e, "File"), "broken.csx"));
        Assert.Equal(2, Property(logged, "Line"));
        // The column of what does not parse, after "requires: ".
        Assert.Equal(PluginGatewayFixture.BrokenRequires.IndexOf("rol admin", StringComparison.Ordinal) + 1, Property(logged, "Column"));
        Assert.Equal("WSG0001", Property(logged, "Id"));
    }

    [Fact]
    public async Task Through_the_envelope_and_wsgateway_v1_a_broken_script_and_a_refused_help_are_errors_with_codes()
    {
        using var plain = await ConnectAsync("dave", "ops");
        foreach (var (request, code) in new[] { ("broken", "broken"), ("help secret", "forbidden"), ("help nothing", "unknown_command") })
        {
            var split = request.Split(' ', 2);
            using var envelope = JsonDocument.Parse(await plain.AskAsync(
                JsonSerializer.Serialize(new { id = "e1", command = split[0], args = split.Length > 1 ? split[1] : "" })));
            Assert.False(envelope.RootElement.GetProperty("ok").GetBoolean(), request);
            Assert.Equal(code, envelope.RootElement.GetProperty("code").GetString());
        }

        await using var client = await GatewayClient.ConnectAsync(Gateway.WebSocketUri(), new GatewayClientOptions
        {
            Reconnect = false,
            ConfigureWebSocket = o => o.SetRequestHeader("X-Test-User", "dave"),
        });
        Assert.Equal("broken", (await Assert.ThrowsAsync<CallException>(() => client.CallAsync("broken"))).Code);
        var help = await Assert.ThrowsAsync<CallException>(() => client.CallAsync("help", "secret"));
        Assert.Equal(("forbidden", "command \"secret\" requires the role admin (you are dave)"), (help.Code, help.Message));
    }

    [Fact]
    public async Task A_bad_requires_edit_keeps_the_previous_version_serving_with_its_access()
    {
        using var admin = await ConnectAsync("erin", "admin");
        using var other = await ConnectAsync("dave");
        Assert.Equal("audit v1", await admin.AskAsync("audit"));

        // "requires: admin" forgot "role": if it were taken as no requirement, the script would open to everyone.
        await File.WriteAllTextAsync(Path.Combine(Gateway.Root, "scripts", "audit.csx"), "// requires: admin\n\"audit v2\"\n");
        await admin.AskUntilAsync("help audit", h => h.Contains("BROKEN", StringComparison.Ordinal), Eventually.Patience);

        Assert.Equal("audit v1", await admin.AskAsync("audit"));
        Assert.Equal("error: command \"audit\" requires the role admin (you are dave)", await other.AskAsync("audit"));
        Assert.DoesNotContain("audit", HelpNames(await other.AskAsync("help")));
    }
}
