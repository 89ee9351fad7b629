using System.Net;
using System.Net.Sockets;
using System.Text;
using WsGateway.IntegrationTests.Cluster;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// Every bad request gets its status and problem type, and nothing is published for it: a listening client's first
/// message after the bad request is the good publish sent after it.
/// </summary>
public sealed class ApiRefusalTests : IAsyncLifetime
{
    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync(o => o.Api.MaxBodyBytes = 4096);

    public async Task DisposeAsync() => await _api.DisposeAsync();

    public static TheoryData<string, string, int, string> BadPublishes => new()
    {
        { """{"everyone":true,"text":"BAD","extra":1}""", "application/json", 400, "unknown-field" },
        { """{"everyone":true,"text":5}""", "application/json", 400, "invalid-field" },
        { """{"everyone":"yes","text":"BAD"}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"text":"BAD","text":"BAD"}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"text":"BAD","data":{"a":1}}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"group":"room","text":"BAD"}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"text":"BAD","event":"broadcast"}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"text":"BAD","event":"has space"}""", "application/json", 400, "invalid-field" },
        { """{"everyone":true,"data":null}""", "application/json", 400, "invalid-field" },
        { """{"group":"no spaces allowed","text":"BAD"}""", "application/json", 400, "invalid-group" },
        { """{"text":"BAD"}""", "application/json", 400, "missing-field" },
        { """{"everyone":true}""", "application/json", 400, "missing-field" },
        { """{"everyone":true,"text":"BAD\""", "application/json", 400, "malformed-json" },
        { """{"everyone":true,"text":"BAD"} {}""", "application/json", 400, "malformed-json" },
        { """["everyone","BAD"]""", "application/json", 400, "malformed-json" },
        { "everyone BAD", "application/json", 400, "malformed-json" },
        { """{"everyone":true,"text":"BAD"}""", "text/plain", 415, "unsupported-media-type" },
        { """{"everyone":true,"text":"BAD"}""", "application/x-www-form-urlencoded", 415, "unsupported-media-type" },
    };

    [Theory]
    [MemberData(nameof(BadPublishes))]
    public async Task A_bad_publish_gets_its_problem_and_publishes_nothing(string body, string contentType, int status, string problem)
    {
        await using var listener = await ListeningClient.ConnectAsync(_api.Gateway, "listener");

        var answer = await _api.PostAsync("/api/v1/publish", body, ApiGateway.PublisherKey, contentType);

        Assert.Equal((HttpStatusCode)status, answer.Status);
        Assert.Equal(problem, answer.ProblemName);
        await AssertNothingPublishedAsync(listener);
    }

    [Fact]
    public async Task Validation_problems_name_the_offending_field()
    {
        var answer = await _api.PostAsync("/api/v1/publish", """{"group":"room","text":"x","colour":"red"}""");
        Assert.Equal("colour", answer.Json.GetProperty("field").GetString());

        answer = await _api.PostAsync("/api/v1/publish", """{"group":"room","text":["x"]}""");
        Assert.Equal("text", answer.Json.GetProperty("field").GetString());
        Assert.Equal("A field has a wrong type or value", answer.Json.GetProperty("title").GetString());
        Assert.Contains("must be a string", answer.Json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_or_wrong_key_gets_401_and_a_key_without_the_role_403()
    {
        await using var listener = await ListeningClient.ConnectAsync(_api.Gateway, "listener");
        const string Body = """{"everyone":true,"text":"BAD"}""";

        var missing = await _api.PostAsync("/api/v1/publish", Body, key: null);
        Assert.Equal((HttpStatusCode.Unauthorized, "missing-key"), (missing.Status, missing.ProblemName));
        Assert.Equal("Bearer", missing.Header("WWW-Authenticate"));

        var wrong = await _api.PostAsync("/api/v1/publish", Body, key: "not-a-key-of-this-gateway");
        Assert.Equal((HttpStatusCode.Unauthorized, "wrong-key"), (wrong.Status, wrong.ProblemName));
        Assert.StartsWith("Bearer", wrong.Header("WWW-Authenticate"), StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key-of-this-gateway", wrong.Body, StringComparison.Ordinal);

        var viewer = await _api.PostAsync("/api/v1/publish", Body, ApiGateway.ViewerKey);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (viewer.Status, viewer.ProblemName));

        // A publisher may publish and nothing else.
        var sessions = await _api.GetAsync("/api/v1/sessions", ApiGateway.PublisherKey);
        Assert.Equal((HttpStatusCode.Forbidden, "forbidden"), (sessions.Status, sessions.ProblemName));
        await AssertNothingPublishedAsync(listener);
    }

    [Fact]
    public async Task A_wrong_method_gets_405_with_allow_and_an_unknown_endpoint_404()
    {
        var get = await _api.GetAsync("/api/v1/publish");
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method-not-allowed"), (get.Status, get.ProblemName));
        Assert.Equal("POST", get.Header("Allow"));

        var delete = await _api.SendAsync(HttpMethod.Delete, "/api/v1/sessions", null);
        Assert.Equal((HttpStatusCode.MethodNotAllowed, "method-not-allowed"), (delete.Status, delete.ProblemName));
        Assert.Equal("GET, HEAD", delete.Header("Allow"));

        var unknown = await _api.GetAsync("/api/v1/nothing-here");
        Assert.Equal((HttpStatusCode.NotFound, "not-found"), (unknown.Status, unknown.ProblemName));
    }

    [Fact]
    public async Task An_oversized_body_gets_413_and_is_not_published()
    {
        await using var listener = await ListeningClient.ConnectAsync(_api.Gateway, "listener");
        var body = $$"""{"everyone":true,"text":"BAD{{new string('x', 5000)}}"}""";

        var answer = await _api.PostAsync("/api/v1/publish", body, ApiGateway.PublisherKey);

        Assert.Equal((HttpStatusCode.RequestEntityTooLarge, "body-too-large"), (answer.Status, answer.ProblemName));
        await AssertNothingPublishedAsync(listener);
    }

    [Fact]
    public async Task A_length_far_over_the_limit_is_refused_before_the_body_is_sent()
    {
        // Only the head goes out: the answer must come without the gateway waiting for a gigabyte.
        using var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, _api.Gateway.Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/v1/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {ApiGateway.PublisherKey}\r\n" +
            "Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{\"everyone\":"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        using var timeout = new CancellationTokenSource(Eventually.Patience);

        var answer = await reader.ReadToEndAsync(timeout.Token);

        Assert.StartsWith("HTTP/1.1 413 ", answer, StringComparison.Ordinal);
        Assert.Contains("https://wsgateway.dev/problems/body-too-large", answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_chunked_body_gets_411()
    {
        await using var listener = await ListeningClient.ConnectAsync(_api.Gateway, "listener");
        // A stream of unknown length: HttpClient sends it chunked.
        using var content = new StreamContent(new NoLengthStream(Encoding.UTF8.GetBytes("""{"everyone":true,"text":"BAD"}""")));
        content.Headers.ContentType = new("application/json");

        var answer = await _api.SendAsync(HttpMethod.Post, "/api/v1/publish", content, ApiGateway.PublisherKey);

        Assert.Equal((HttpStatusCode.LengthRequired, "length-required"), (answer.Status, answer.ProblemName));
        await AssertNothingPublishedAsync(listener);
    }

    [Fact]
    public async Task Disconnecting_an_unknown_session_or_user_gets_404()
    {
        var session = await _api.PostAsync("/api/v1/sessions/0123456789abcdef/disconnect", """{"reason":"x"}""");
        Assert.Equal((HttpStatusCode.NotFound, "unknown-session"), (session.Status, session.ProblemName));

        var user = await _api.PostAsync("/api/v1/users/nobody/disconnect", null);
        Assert.Equal((HttpStatusCode.NotFound, "unknown-user"), (user.Status, user.ProblemName));

        var unknownField = await _api.PostAsync("/api/v1/users/nobody/disconnect", """{"why":"x"}""");
        Assert.Equal((HttpStatusCode.BadRequest, "unknown-field"), (unknownField.Status, unknownField.ProblemName));
    }

    [Fact]
    public async Task A_bad_group_in_a_query_or_path_gets_400()
    {
        var presence = await _api.GetAsync("/api/v1/groups/bad%20group/presence");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-group"), (presence.Status, presence.ProblemName));

        var sessions = await _api.GetAsync("/api/v1/sessions?group=bad%20group");
        Assert.Equal((HttpStatusCode.BadRequest, "invalid-group"), (sessions.Status, sessions.ProblemName));

        var unknown = await _api.GetAsync("/api/v1/sessions?colour=red");
        Assert.Equal((HttpStatusCode.BadRequest, "unknown-field"), (unknown.Status, unknown.ProblemName));
    }

    /// <summary>A good publish after the bad one arrives first: the bad one published nothing.</summary>
    private async Task AssertNothingPublishedAsync(ListeningClient listener)
    {
        var marker = $"GOOD {Guid.NewGuid():N}";
        var good = await _api.PostAsync("/api/v1/publish", $$"""{"everyone":true,"text":"{{marker}}"}""", ApiGateway.PublisherKey);
        Assert.Equal(HttpStatusCode.OK, good.Status);
        Assert.True(await listener.HasReceivedAsync(marker), listener.Describe());
        Assert.Equal([marker], listener.Received);
    }

    /// <summary>A stream that does not tell its length, so HttpClient sends it with Transfer-Encoding: chunked.</summary>
    private sealed class NoLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
