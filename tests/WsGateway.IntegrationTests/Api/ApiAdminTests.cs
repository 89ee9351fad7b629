using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using WsGateway.Client;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// What the console's admin view reads, through the API with the admin role: sessions with their traffic and the
/// command running now, command statistics per version, the reload history, and the handshake refusals.
/// </summary>
public sealed class ApiAdminTests : IAsyncLifetime
{
    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task Sessions_carry_their_traffic_and_the_command_running_now()
    {
        await using var client = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri(), new GatewayClientOptions { Token = ApiGateway.AliceKey, Reconnect = false });
        await client.CallAsync("greet", "you");
        var hanging = client.CallAsync("hang");

        var session = await Eventually.ValueAsync(
            async () => (JsonElement?)Assert.Single((await _api.GetAsync("/api/v1/sessions")).Json.GetProperty("sessions").EnumerateArray()),
            s => s is { } one && one.GetProperty("running").ValueKind == JsonValueKind.Object,
            Eventually.Patience);
        var found = session!.Value;
        Assert.Equal("hang", found.GetProperty("running").GetProperty("command").GetString());
        Assert.True(found.GetProperty("running").GetProperty("since").GetDateTimeOffset() >= found.GetProperty("connectedAt").GetDateTimeOffset().AddSeconds(-1));
        // Two calls in; the welcome, greet's reply and its result out.
        Assert.Equal(2, found.GetProperty("messagesIn").GetInt64());
        Assert.True(found.GetProperty("bytesIn").GetInt64() > 0);
        Assert.Equal(3, found.GetProperty("messagesOut").GetInt64());
        Assert.True(found.GetProperty("bytesOut").GetInt64() > 0);
        Assert.Equal("alice", found.GetProperty("user").GetString());

        var disconnected = await _api.PostAsync($"/api/v1/sessions/{client.Welcome!.Session}/disconnect", """{"reason":"seen enough"}""");
        Assert.Equal(HttpStatusCode.OK, disconnected.Status);
        await Assert.ThrowsAnyAsync<Exception>(() => hanging);
    }

    [Fact]
    public async Task Commands_count_calls_errors_and_denials_per_version_with_run_times()
    {
        await using var client = await GatewayClient.ConnectAsync(_api.Gateway.WebSocketUri(), new GatewayClientOptions { Reconnect = false });
        await client.CallAsync("greet", "a");
        await client.CallAsync("greet", "b");
        await Assert.ThrowsAsync<CallException>(() => client.CallAsync("boom"));
        await Assert.ThrowsAsync<CallException>(() => client.CallAsync("secret"));

        var commands = (await _api.GetAsync("/api/v1/commands")).Json;
        Assert.True(commands.GetProperty("complete").GetBoolean());
        var rows = commands.GetProperty("commands").EnumerateArray().ToDictionary(c => c.GetProperty("command").GetString()!);
        Assert.All(rows.Values, r => Assert.Equal(_api.Gateway.Gateway.Bus.NodeId, r.GetProperty("node").GetString()));
        var greet = rows["greet"];
        Assert.Equal(("1.0.0", 2, 0, 0), (greet.GetProperty("version").GetString(), greet.GetProperty("calls").GetInt64(), greet.GetProperty("errors").GetInt64(), greet.GetProperty("denials").GetInt64()));
        Assert.True(greet.GetProperty("p50Ms").GetDouble() > 0);
        Assert.True(greet.GetProperty("p99Ms").GetDouble() >= greet.GetProperty("p50Ms").GetDouble());
        Assert.Equal((1, 1), (rows["boom"].GetProperty("calls").GetInt64(), rows["boom"].GetProperty("errors").GetInt64()));
        Assert.Equal((1, 1), (rows["secret"].GetProperty("calls").GetInt64(), rows["secret"].GetProperty("denials").GetInt64()));
        Assert.Equal(JsonValueKind.Null, rows["secret"].GetProperty("p50Ms").ValueKind);
    }

    [Fact]
    public async Task Script_reloads_are_listed_with_their_hashes_and_diagnostics_newest_first()
    {
        var script = Path.Combine(_api.Gateway.Root, "scripts", "stamp.csx");
        await File.WriteAllTextAsync(script, "\"v1\"\n");
        var first = await ReloadOfAsync("stamp.csx", "loaded");
        await File.WriteAllTextAsync(script, "\"v1\" +\n");
        var failed = await ReloadOfAsync("stamp.csx", "failed");

        Assert.Equal(("script", 12), (first.GetProperty("kind").GetString(), first.GetProperty("hash").GetString()!.Length));
        Assert.NotEqual(first.GetProperty("hash").GetString(), failed.GetProperty("hash").GetString());
        Assert.Contains(failed.GetProperty("diagnostics").EnumerateArray(), d => d.GetString()!.StartsWith("stamp.csx(", StringComparison.Ordinal));

        // The version that keeps serving is the one the commands view counts.
        using var client = await _api.Gateway.ConnectAsync();
        Assert.Equal("v1", await client.AskAsync("stamp"));
        var stamp = (await _api.GetAsync("/api/v1/commands")).Json.GetProperty("commands").EnumerateArray().Single(c => c.GetProperty("command").GetString() == "stamp");
        Assert.Equal(first.GetProperty("hash").GetString(), stamp.GetProperty("version").GetString());
    }

    [Fact]
    public async Task Handshake_refusals_are_counted_by_reason_and_the_latest_listed()
    {
        using var refused = new ClientWebSocket();
        refused.Options.SetRequestHeader("Origin", "https://evil.example");
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(_api.Gateway.WebSocketUri("/"), CancellationToken.None));

        var refusals = (await _api.GetAsync("/api/v1/refusals")).Json;
        Assert.Equal(1, refusals.GetProperty("counts").GetProperty("origin").GetInt64());
        var latest = refusals.GetProperty("latest")[0];
        Assert.Equal(("origin", "/"), (latest.GetProperty("reason").GetString(), latest.GetProperty("path").GetString()));
        Assert.StartsWith("127.0.0.1:", latest.GetProperty("remote").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/commands")]
    [InlineData("/api/v1/reloads")]
    [InlineData("/api/v1/refusals")]
    [InlineData("/api/v1/sessions")]
    public async Task The_admin_data_wants_the_admin_role(string path)
    {
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), ((await _api.GetAsync(path, ApiGateway.PublisherKey)) is var answer ? answer.Status : 0, answer.ProblemName));
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync(path, key: null)).Status);
        Assert.Equal(HttpStatusCode.OK, (await _api.GetAsync(path)).Status);
    }

    private async Task<JsonElement> ReloadOfAsync(string name, string outcome)
    {
        var found = await Eventually.ValueAsync(
            async () => (await _api.GetAsync("/api/v1/reloads")).Json.GetProperty("reloads").EnumerateArray()
                .Where(r => r.GetProperty("name").GetString() == name).Select(r => (JsonElement?)r).FirstOrDefault(),
            r => r is { } newest && newest.GetProperty("outcome").GetString() == outcome,
            Eventually.Patience);
        Assert.NotNull(found);
        return found.Value;
    }
}
