using WsGateway.Api;
using WsGateway.Authentication;
using WsGateway.Options;

namespace WsGateway.Tests.Api;

public sealed class ApiAccessTests
{
    private static readonly ApiKeyAuthenticator Keys = ApiKeyAuthenticator.Create(
    [
        new ApiKeyOptions { Name = "ops", Key = "admin-key-0123456789", Roles = ["admin"] },
        new ApiKeyOptions { Name = "shop", Key = "publisher-key-0123456789", Roles = ["publisher"] },
    ], [])!;

    [Theory]
    [InlineData(null, "publisher", "missing-key")]
    [InlineData("Basic abc", "publisher", "missing-key")]
    [InlineData("Bearer nope-nope-nope-nope", "publisher", "wrong-key")]
    [InlineData("Bearer publisher-key-0123456789", "admin", "forbidden")]
    public void Refusals_name_their_problem(string? authorization, string role, string problem)
    {
        Assert.Equal(problem, ApiAccess.Check(authorization, Keys, role, out var caller)!.Name);
        Assert.Null(caller);
    }

    [Theory]
    [InlineData("Bearer publisher-key-0123456789", "publisher", "shop")]
    [InlineData("Bearer admin-key-0123456789", "publisher", "ops")]
    [InlineData("bearer admin-key-0123456789", "admin", "ops")]
    public void A_key_with_the_role_or_admin_passes(string authorization, string role, string name)
    {
        Assert.Null(ApiAccess.Check(authorization, Keys, role, out var caller));
        Assert.Equal(name, caller!.Name);
    }

    [Fact]
    public void Without_configured_keys_every_key_is_wrong() =>
        Assert.Equal("wrong-key", ApiAccess.Check("Bearer admin-key-0123456789", null, "admin", out _)!.Name);

    [Fact]
    public void A_too_long_disconnect_reason_is_refused_and_an_empty_body_is_no_reason()
    {
        Assert.Null(DisconnectRequestParser.TryParse([], out string reason));
        Assert.Equal("", reason);
        var longReason = System.Text.Encoding.UTF8.GetBytes($$"""{"reason":"{{new string('x', DisconnectRequestParser.MaxReasonBytes + 1)}}"}""");
        Assert.Equal("invalid-field", DisconnectRequestParser.TryParse(longReason, out _)!.Name);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(SessionDirectoryReasons.CloseReason(new string('x', DisconnectRequestParser.MaxReasonBytes))) <= 123);
    }
}
