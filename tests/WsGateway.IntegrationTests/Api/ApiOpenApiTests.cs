using System.Net;
using System.Text.Json;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// The served OpenAPI document against the real endpoints: every path and method in it answers with a status the
/// document declares (with a key, without one, and with a bad body), and every endpoint the gateway serves is in it.
/// </summary>
public sealed class ApiOpenApiTests : IAsyncLifetime
{
    // Every endpoint the gateway serves, as its router matches them.
    private static readonly string[] Served =
    [
        "POST /api/v1/publish", "GET /api/v1/sessions", "GET /api/v1/groups/{group}/presence", "POST /api/v1/sessions/{id}/disconnect",
        "POST /api/v1/users/{name}/disconnect", "GET /api/v1/nodes", "GET /api/v1/commands", "GET /api/v1/reloads", "GET /api/v1/refusals",
        "GET /api/v1/openapi.json",
    ];

    private ApiGateway _api = null!;

    public async Task InitializeAsync() => _api = await ApiGateway.StartAsync();

    public async Task DisposeAsync() => await _api.DisposeAsync();

    [Fact]
    public async Task The_document_is_openapi_3_1_and_lists_every_endpoint_served()
    {
        var document = await DocumentAsync();

        Assert.StartsWith("3.1", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal(Served.Order(StringComparer.Ordinal), Operations(document).Select(o => $"{o.Method} {o.Path}").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_operation_answers_with_a_status_the_document_declares()
    {
        var document = await DocumentAsync();
        foreach (var (path, method, operation) in Operations(document))
        {
            var declared = operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            var url = path.Replace("{group}", "room", StringComparison.Ordinal).Replace("{id}", "0123456789abcdef", StringComparison.Ordinal)
                .Replace("{name}", "nobody", StringComparison.Ordinal);
            bool post = method == "POST";
            bool secured = !operation.TryGetProperty("security", out var security) || security.GetArrayLength() > 0;

            foreach (var (key, body) in new[] { (ApiGateway.AdminKey, "{}"), (ApiGateway.AdminKey, """{"everyone":true,"text":"hi"}"""), ((string?)null, "{}"), ("wrong-key-0123456789", "{}") })
            {
                var answer = post ? await _api.PostAsync(url, body, key) : await _api.GetAsync(url, key);
                Assert.True(declared.Contains((int)answer.Status), $"{method} {path} answered {(int)answer.Status}, which the document does not declare ({string.Join(", ", declared)})");
                if (secured && key != ApiGateway.AdminKey)
                {
                    Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
                }
            }

            var wrongMethod = await _api.SendAsync(post ? HttpMethod.Get : HttpMethod.Delete, url, null);
            Assert.True(declared.Contains((int)wrongMethod.Status), $"{method} {path}: the wrong method got {(int)wrongMethod.Status}, not declared");
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        var answer = await _api.GetAsync("/api/v1/openapi.json", key: null);
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        Assert.Equal("application/json", answer.MediaType);
        return answer.Json;
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (path.Name, op.Name.ToUpperInvariant(), op.Value)));
}
