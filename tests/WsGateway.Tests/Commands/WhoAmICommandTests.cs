using System.Text.Json;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Tests.Commands;

public sealed class WhoAmICommandTests
{
    private static readonly CallerIdentity Alice = new(
        "alice", "jwt", ["admin", "ops"], [new("sub", "alice")], new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.FromHours(2)));

    [Fact]
    public void An_anonymous_caller_is_told_so()
    {
        Assert.Equal("anonymous (connected without credentials)", WhoAmICommand.Render(CallerIdentity.Anonymous, json: false));
    }

    [Fact]
    public void An_authenticated_caller_sees_name_method_roles_and_expiry_in_utc()
    {
        Assert.Equal(
            "alice (authenticated by jwt); roles: admin, ops; expires 2030-01-02 01:04:05Z",
            WhoAmICommand.Render(Alice, json: false));
    }

    [Fact]
    public void A_caller_without_roles_or_expiry_is_told_so()
    {
        Assert.Equal("bot (authenticated by apikey); no roles", WhoAmICommand.Render(new CallerIdentity("bot", "apikey"), json: false));
    }

    [Fact]
    public void Json_gives_the_same_for_an_anonymous_caller()
    {
        using var json = JsonDocument.Parse(WhoAmICommand.Render(CallerIdentity.Anonymous, json: true));
        var root = json.RootElement;
        Assert.Equal("anonymous", root.GetProperty("name").GetString());
        Assert.False(root.GetProperty("authenticated").GetBoolean());
        Assert.Equal("none", root.GetProperty("method").GetString());
        Assert.Equal(0, root.GetProperty("roles").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("expiresAt").ValueKind);
    }

    [Fact]
    public void Json_gives_the_same_for_an_authenticated_caller()
    {
        using var json = JsonDocument.Parse(WhoAmICommand.Render(Alice, json: true));
        var root = json.RootElement;
        Assert.Equal("alice", root.GetProperty("name").GetString());
        Assert.True(root.GetProperty("authenticated").GetBoolean());
        Assert.Equal("jwt", root.GetProperty("method").GetString());
        Assert.Equal(["admin", "ops"], root.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(Alice.ExpiresAt, root.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(5, root.EnumerateObject().Count());
    }

    [Fact]
    public void Json_escapes_what_a_name_contains()
    {
        var odd = new CallerIdentity("eve \"the\" <admin>", "plugin-sso");
        using var json = JsonDocument.Parse(WhoAmICommand.Render(odd, json: true));
        Assert.Equal("eve \"the\" <admin>", json.RootElement.GetProperty("name").GetString());
    }
}
