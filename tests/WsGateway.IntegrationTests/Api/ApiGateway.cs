using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using WsGateway.IntegrationTests.Commands;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Api;

/// <summary>A gateway with API keys for the HTTP API tests, and a real <see cref="HttpClient"/> to call it.</summary>
internal sealed class ApiGateway : IAsyncDisposable
{
    public const string AdminKey = "admin-key-0123456789";
    public const string PublisherKey = "publisher-key-0123456789";
    public const string ViewerKey = "viewer-key-0123456789";
    public const string AliceKey = "alice-key-0123456789";

    private ApiGateway(TestGateway gateway)
    {
        Gateway = gateway;
        Http = new HttpClient { BaseAddress = gateway.HttpUri("/"), Timeout = Eventually.Patience };
    }

    public TestGateway Gateway { get; }
    public HttpClient Http { get; }

    public static async Task<ApiGateway> StartAsync(Action<GatewayOptions>? configure = null)
    {
        var gateway = await ProtocolTestCommands.StartGatewayAsync(o =>
        {
            o.Authentication.Methods = ["apikey", "none"];
            o.Authentication.ApiKeys =
            [
                new ApiKeyOptions { Name = "ops", Key = AdminKey, Roles = ["admin"] },
                new ApiKeyOptions { Name = "shop", Key = PublisherKey, Roles = ["publisher"] },
                new ApiKeyOptions { Name = "viewer", Key = ViewerKey, Roles = ["viewer"] },
                new ApiKeyOptions { Name = "alice", Key = AliceKey, Roles = [] },
            ];
            // Tests make many calls quickly; the rate limit has its own test.
            o.Api.RequestsPerSecond = 0;
            configure?.Invoke(o);
        });
        ProtocolTestCommands.Register(gateway);
        return new ApiGateway(gateway);
    }

    public Task<ApiAnswer> PostAsync(string path, string? json, string? key = AdminKey, string contentType = "application/json") =>
        SendAsync(HttpMethod.Post, path, json is null ? null : new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)), key);

    public Task<ApiAnswer> GetAsync(string path, string? key = AdminKey) => SendAsync(HttpMethod.Get, path, null, key);

    public async Task<ApiAnswer> SendAsync(HttpMethod method, string path, HttpContent? content, string? key = AdminKey)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiAnswer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body,
            [.. response.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value))),
             .. response.Content.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))]);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Gateway.DisposeAsync();
    }
}

/// <summary>One API response as the test saw it.</summary>
internal sealed record ApiAnswer(HttpStatusCode Status, string? MediaType, string Body, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The problem's name: the last segment of its <c>type</c>.</summary>
    public string ProblemName
    {
        get
        {
            Assert.Equal("application/problem+json", MediaType);
            var type = Json.GetProperty("type").GetString()!;
            Assert.StartsWith("https://wsgateway.dev/problems/", type, StringComparison.Ordinal);
            Assert.Equal((int)Status, Json.GetProperty("status").GetInt32());
            return type["https://wsgateway.dev/problems/".Length..];
        }
    }

    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
