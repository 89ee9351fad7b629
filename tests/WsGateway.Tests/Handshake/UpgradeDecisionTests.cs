using System.Text;
using WsGateway.Authentication;
using WsGateway.Connections;
using WsGateway.Contracts;
using WsGateway.Handshake;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Tests.Authentication;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Handshake;

public sealed class UpgradeDecisionTests
{
    private const string BotKey = "bot-key-0123456789abcdef";

    private readonly StubRoute _commands = new();
    private readonly StubRoute _echo = new();
    private readonly AuthenticatorRegistry _plugins = new();
    private readonly LogRecorder _log = new();

    private UpgradeDecision Decision(AuthenticationOptions? authentication = null, OriginOptions? origins = null)
    {
        var options = new LiveOptions(new GatewayOptions
        {
            Authentication = authentication ?? new AuthenticationOptions(),
            Origins = origins ?? new OriginOptions(),
        });
        var routes = new Dictionary<string, IWebSocketRoute>(StringComparer.Ordinal) { ["/"] = _commands, ["/echo"] = _echo };
        return new UpgradeDecision(routes, new OriginPolicy(options), new HandshakeAuthentication(options, _plugins, _log.Logger));
    }

    private static AuthenticationOptions ApiKeys(params string[] requiredRoles) => new()
    {
        Methods = ["apikey"],
        ApiKeys = [new ApiKeyOptions { Name = "bot", Key = BotKey, Roles = ["ops"] }],
        RequiredRoles = requiredRoles,
    };

    private static Task<UpgradeVerdict> Decide(UpgradeDecision decision, HttpRequestHead head) =>
        decision.DecideAsync(head, WebSocketHandshake.Validate(head), Requests.Remote, CancellationToken.None).AsTask();

    private static HttpRequestHead Handshake(string target, params string[] lines) => Requests.Head($"GET {target} HTTP/1.1", lines);

    private static void AssertRefused(UpgradeVerdict verdict, int status, string label)
    {
        Assert.Null(verdict.Route);
        Assert.Null(verdict.Identity);
        Assert.Equal(status, verdict.Refusal?.Status);
        Assert.Equal(label, verdict.Reason);
    }

    private static string Body(UpgradeVerdict verdict) => Encoding.UTF8.GetString(verdict.Refusal!.Body.Span);

    [Fact]
    public async Task An_accepted_upgrade_carries_its_route_and_identity()
    {
        var decision = Decision();

        var verdict = await Decide(decision, Requests.Upgrade("/echo?x=1"));
        Assert.Same(_echo, verdict.Route);
        Assert.Same(CallerIdentity.Anonymous, verdict.Identity);
        Assert.Null(verdict.Refusal);
        Assert.Null(verdict.Reason);
        Assert.Null(verdict.Detail);

        Assert.Same(_commands, (await Decide(decision, Requests.Upgrade("/"))).Route);
    }

    [Fact]
    public async Task An_authenticated_upgrade_carries_the_caller()
    {
        var verdict = await Decide(Decision(ApiKeys()), Requests.WithBearer(BotKey));
        Assert.Same(_commands, verdict.Route);
        Assert.Equal("bot (apikey)", verdict.Identity?.ToString());
        Assert.Null(verdict.Refusal);
    }

    [Fact]
    public async Task A_bad_handshake_is_a_400_bad_request()
    {
        var head = Handshake("/", "Host: localhost", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13");
        var verdict = await Decide(Decision(), head);
        AssertRefused(verdict, 400, "bad_request");
        Assert.Equal("Missing Sec-WebSocket-Key\n", Body(verdict));
    }

    [Fact]
    public async Task Another_websocket_version_is_a_426_naming_version_13()
    {
        var head = Handshake("/", "Host: localhost", "Upgrade: websocket", "Connection: Upgrade", $"Sec-WebSocket-Key: {Requests.Key}", "Sec-WebSocket-Version: 8");
        var verdict = await Decide(Decision(), head);
        AssertRefused(verdict, 426, "version");
        Assert.Contains(new KeyValuePair<string, string>("Sec-WebSocket-Version", "13"), verdict.Refusal!.Headers!);
    }

    [Fact]
    public async Task An_obsolete_draft_handshake_is_a_426_labelled_draft76()
    {
        var head = Handshake("/", "Host: localhost", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key1: 1 2", "Sec-WebSocket-Key2: 3 4");
        AssertRefused(await Decide(Decision(), head), 426, "draft76");
    }

    [Fact]
    public async Task Another_method_is_a_405_allowing_get()
    {
        var head = Requests.Head("POST / HTTP/1.1", ["Host: localhost", "Upgrade: websocket", "Connection: Upgrade", $"Sec-WebSocket-Key: {Requests.Key}", "Sec-WebSocket-Version: 13"]);
        var verdict = await Decide(Decision(), head);
        AssertRefused(verdict, 405, "method");
        Assert.Contains(new KeyValuePair<string, string>("Allow", "GET"), verdict.Refusal!.Headers!);
    }

    [Fact]
    public async Task A_path_without_a_route_is_a_404()
    {
        var verdict = await Decide(Decision(), Requests.Upgrade("/nowhere"));
        AssertRefused(verdict, 404, "not_found");
        Assert.Equal("No WebSocket route at /nowhere.\n", Body(verdict));
    }

    [Fact]
    public async Task A_refused_origin_is_a_403_before_any_authentication_runs()
    {
        var sso = ScriptedAuthenticator.Accepting("sso", "someone");
        _plugins.SetSource("plugin:P", [sso]);
        var decision = Decision(new AuthenticationOptions { Methods = ["plugin:sso"] });

        var verdict = await Decide(decision, Requests.Upgrade("/", "Origin: https://evil.example"));

        AssertRefused(verdict, 403, "origin");
        Assert.Null(verdict.Detail);
        Assert.Equal(0, sso.Calls);
        Assert.Equal("someone", (await Decide(decision, Requests.Upgrade("/", "Origin: http://localhost:3000"))).Identity?.Name);
    }

    [Fact]
    public async Task A_missing_origin_is_refused_when_not_allowed()
    {
        AssertRefused(await Decide(Decision(origins: new OriginOptions { AllowMissing = false }), Requests.Upgrade()), 403, "origin");
    }

    [Fact]
    public async Task Missing_or_bad_credentials_are_401_unauthorized_with_the_method_in_the_detail()
    {
        var decision = Decision(ApiKeys());

        var missing = await Decide(decision, Requests.Upgrade());
        AssertRefused(missing, 401, "unauthorized");
        Assert.Equal("credentials required", missing.Detail);

        var wrong = await Decide(decision, Requests.WithBearer("wrong-key-0123456789abcdef"));
        AssertRefused(wrong, 401, "unauthorized");
        Assert.Equal("apikey: unknown API key", wrong.Detail);
        Assert.DoesNotContain("wrong-key", wrong.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_caller_without_a_required_role_is_403_forbidden()
    {
        var verdict = await Decide(Decision(ApiKeys("admin")), Requests.WithBearer(BotKey));
        AssertRefused(verdict, 403, "forbidden");
        Assert.Equal("apikey: bot does not have the role admin", verdict.Detail);
    }

    [Fact]
    public async Task Authentication_that_cannot_run_is_503_auth_unavailable()
    {
        var verdict = await Decide(Decision(new AuthenticationOptions { Methods = ["plugin:sso"] }), Requests.Upgrade());
        AssertRefused(verdict, 503, "auth_unavailable");
        Assert.Equal("authentication method plugin:sso is not loaded", verdict.Detail);
    }

    private sealed class StubRoute : IWebSocketRoute
    {
        public string? SelectSubprotocol(IReadOnlyList<string> offered) => null;

        public ValueTask OnOpenAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

        public ValueTask OnMessageAsync(IWebSocketConnection connection, Opcode opcode, ReadOnlyMemory<byte> payload) => ValueTask.CompletedTask;

        public ValueTask OnClosedAsync(IWebSocketConnection connection) => ValueTask.CompletedTask;

        public Task DrainAsync(IWebSocketConnection connection, string reason, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
