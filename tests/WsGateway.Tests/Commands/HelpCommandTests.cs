using System.Text.Json;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Tests.Commands;

public sealed class HelpCommandTests
{
    private static readonly CallerIdentity Reader = new("reader", "apikey");
    private static readonly CallerIdentity Admin = new("alice", "jwt", ["admin"]);

    private static CommandDescriptor Command(string name, CommandAccess? access = null) =>
        new(name, $"Does {name}.", CommandOrigin.BuiltIn, _ => ValueTask.CompletedTask) { Access = access ?? CommandAccess.Anyone };

    private static readonly CommandTable Table = new(
    [
        Command("echo"),
        Command("profile", new CommandAccess(true, [])),
        Command("deploy", new CommandAccess(true, [["admin", "ops"]])),
        Command("time"),
    ]);

    private static string[] Listed(string help) =>
        [.. help.Split('\n').Skip(1).Select(line => line.Trim().Split(' ')[0])];

    [Fact]
    public void An_anonymous_caller_sees_only_what_anyone_may_run()
    {
        var help = HelpCommand.Render(Table, "", CallerIdentity.Anonymous);
        Assert.StartsWith("Commands (send \"NAME arguments\"):\n", help, StringComparison.Ordinal);
        Assert.Equal(["echo", "time"], Listed(help));
        Assert.DoesNotContain("requires", help, StringComparison.Ordinal);
    }

    [Fact]
    public void An_authenticated_caller_also_sees_what_needs_authentication()
    {
        var help = HelpCommand.Render(Table, "", Reader);
        Assert.Equal(["echo", "profile", "time"], Listed(help));
        Assert.Contains("  profile  Does profile.  [built-in]  (requires authenticated)", help, StringComparison.Ordinal);
    }

    [Fact]
    public void A_caller_with_the_role_also_sees_the_role_s_commands()
    {
        var help = HelpCommand.Render(Table, "", Admin);
        Assert.Equal(["echo", "profile", "deploy", "time"], Listed(help));
        Assert.Contains("  deploy   Does deploy.  [built-in]  (requires admin or ops)", help, StringComparison.Ordinal);
    }

    [Fact]
    public void Asking_about_a_command_answers_as_calling_it_would()
    {
        var refused = Assert.Throws<CallErrorException>(() => HelpCommand.Render(Table, "deploy", Reader));
        Assert.Equal((CallErrors.Forbidden, "command \"deploy\" requires the role admin or ops (you are reader)"), (refused.Code, refused.Message));
        var anonymous = Assert.Throws<CallErrorException>(() => HelpCommand.Render(Table, "profile", CallerIdentity.Anonymous));
        Assert.Equal((CallErrors.Forbidden, "command \"profile\" requires an authenticated caller (you are not authenticated)"), (anonymous.Code, anonymous.Message));
        var unknown = Assert.Throws<CallErrorException>(() => HelpCommand.Render(Table, "nothing", Admin));
        Assert.Equal((CallErrors.UnknownCommand, "unknown command \"nothing\"; send \"help\" to list commands"), (unknown.Code, unknown.Message));
        Assert.Equal("  deploy  Does deploy.  [built-in]  (requires admin or ops)", HelpCommand.Render(Table, "DEPLOY", Admin));
    }

    [Fact]
    public void Json_lists_what_the_caller_may_run_with_its_requirement()
    {
        using var anonymous = JsonDocument.Parse(HelpCommand.Render(Table, "--json", CallerIdentity.Anonymous));
        Assert.Equal(["echo", "time"], Names(anonymous));
        Assert.All(anonymous.RootElement.GetProperty("commands").EnumerateArray(),
            c => Assert.Equal(JsonValueKind.Null, c.GetProperty("requires").ValueKind));

        using var admin = JsonDocument.Parse(HelpCommand.Render(Table, "--json", Admin));
        Assert.Equal(["echo", "profile", "deploy", "time"], Names(admin));
        var deploy = admin.RootElement.GetProperty("commands").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "deploy");
        Assert.Equal("admin or ops", deploy.GetProperty("requires").GetString());
        Assert.Equal("built-in", deploy.GetProperty("origin").GetString());
        Assert.False(deploy.GetProperty("shadowed").GetBoolean());
    }

    private static string[] Names(JsonDocument help) =>
        [.. help.RootElement.GetProperty("commands").EnumerateArray().Select(c => c.GetProperty("name").GetString() ?? "")];
}
