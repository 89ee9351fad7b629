using System.Net;
using System.Net.Http.Headers;
using WsGateway.IntegrationTests.Authentication;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Api;

/// <summary>
/// With <c>jwt</c> among <c>Authentication:Methods</c> the API takes the same tokens as the WebSocket route, with
/// their roles: what lets the console's admin view use the token the console connected with. Keys still work.
/// </summary>
public sealed class ApiJwtTests : IAsyncLifetime
{
    private TestGateway _gateway = null!;

    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o =>
    {
        TestTokens.Configure(o, "jwt", "apikey");
        o.Authentication.ApiKeys = [new ApiKeyOptions { Name = "ops", Key = ApiGateway.AdminKey, Roles = ["admin"] }];
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task A_token_with_the_role_is_let_in_and_others_are_told_why_not()
    {
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(TestTokens.Create("root", ["admin"])));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(ApiGateway.AdminKey));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(TestTokens.Create("ada", ["operator"])));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(TestTokens.Create("root", ["admin"], expires: DateTime.UtcNow.AddHours(-1))));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(TestTokens.Create("root", ["admin"], key: TestTokens.OtherKey)));
        Assert.Contains(_gateway.Logs.Messages(), m => m.Contains("token refused", StringComparison.Ordinal) && m.Contains("token expired", StringComparison.Ordinal));
    }

    private async Task<HttpStatusCode> StatusAsync(string bearer)
    {
        using var http = new HttpClient { Timeout = Eventually.Patience };
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.HttpUri("/api/v1/commands"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }
}
