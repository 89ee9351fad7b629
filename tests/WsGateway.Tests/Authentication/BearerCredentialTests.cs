using WsGateway.Authentication;

namespace WsGateway.Tests.Authentication;

public sealed class BearerCredentialTests
{
    [Theory]
    [InlineData("Authorization: Bearer abc", "abc")]
    [InlineData("Authorization: bearer   abc  ", "abc")]
    [InlineData("Authorization: BEARER abc", "abc")]
    public void The_bearer_scheme_is_case_insensitive_and_the_credential_trimmed(string header, string expected)
    {
        Assert.Equal(expected, BearerCredential.Find(Requests.Seen(Requests.Upgrade("/", header))));
    }

    [Theory]
    [InlineData("/", "Authorization: Basic YWxpY2U6c2VjcmV0")]
    [InlineData("/", "Authorization: Bearer")]
    [InlineData("/?access_token=", "X-Other: 1")]
    [InlineData("/?token=abc", "X-Other: 1")]
    // A header that is not a bearer credential wins over the query: a client uses one way, never both (RFC 6750 2).
    [InlineData("/?access_token=abc", "Authorization: Basic YWxpY2U6c2VjcmV0")]
    public void Anything_else_carries_no_credential(string target, string header)
    {
        Assert.Null(BearerCredential.Find(Requests.Seen(Requests.Upgrade(target, header))));
    }

    [Fact]
    public void The_query_parameter_is_percent_decoded()
    {
        Assert.Equal("a+b/c d", BearerCredential.Find(Requests.Seen(Requests.Upgrade("/?access_token=a%2Bb%2Fc+d"))));
    }

    [Theory]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.sig", true)]
    [InlineData("eyJhbGciOiJub25lIn0.e30.", true)]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30", false)]
    [InlineData("eyJ.a.b.c", false)]
    [InlineData("abc.def.ghi", false)]
    [InlineData("deploy-bot-key-0123456789", false)]
    public void A_jwt_is_recognised_by_its_shape(string credential, bool jwt)
    {
        Assert.Equal(jwt, BearerCredential.LooksLikeJwt(credential));
    }
}
