namespace WsGateway.Protocol.Tests;

public sealed class PerMessageDeflateNegotiatorTests
{
    private static readonly DeflatePolicy Default = new(ClientContextTakeover: false, ClientMaxWindowBits: 15);
    private static readonly DeflatePolicy Generous = new(ClientContextTakeover: true, ClientMaxWindowBits: 15);

    private static string? Negotiate(DeflatePolicy policy, params string[] headers) =>
        PerMessageDeflateNegotiator.Negotiate(headers, policy)?.ResponseHeader;

    [Fact]
    public void What_browsers_offer_is_accepted_and_the_server_never_takes_over_its_context()
    {
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            Negotiate(Default, "permessage-deflate; client_max_window_bits"));
    }

    [Fact]
    public void Client_context_takeover_is_allowed_only_when_configured_and_not_declined_by_the_client()
    {
        var agreed = PerMessageDeflateNegotiator.Negotiate(["permessage-deflate"], Generous)!;
        Assert.True(agreed.ClientContextTakeover);
        Assert.Equal("permessage-deflate; server_no_context_takeover", agreed.ResponseHeader);

        var declined = PerMessageDeflateNegotiator.Negotiate(["permessage-deflate; client_no_context_takeover"], Generous)!;
        Assert.False(declined.ClientContextTakeover);
        Assert.EndsWith("; client_no_context_takeover", declined.ResponseHeader);
    }

    [Theory]
    [InlineData("permessage-deflate; client_max_window_bits=10", 15, "; client_max_window_bits=10")]
    [InlineData("permessage-deflate; client_max_window_bits", 12, "; client_max_window_bits=12")]
    [InlineData("permessage-deflate; client_max_window_bits=\"9\"", 12, "; client_max_window_bits=9")]
    [InlineData("permessage-deflate; client_max_window_bits=15", 15, "")]
    public void Client_window_is_answered_only_when_offered_and_never_above_the_offer_or_the_policy(string offer, int policyBits, string expectedSuffix)
    {
        var response = Negotiate(Default with { ClientMaxWindowBits = policyBits }, offer)!;
        Assert.Equal("permessage-deflate; server_no_context_takeover; client_no_context_takeover" + expectedSuffix, response);
    }

    [Fact]
    public void A_client_that_did_not_offer_a_window_is_not_told_one()
    {
        Assert.DoesNotContain("client_max_window_bits", Negotiate(Default with { ClientMaxWindowBits = 9 }, "permessage-deflate"));
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=15")]
    [InlineData("permessage-deflate; server_no_context_takeover")]
    [InlineData("PerMessage-Deflate ;  Server_No_Context_Takeover ")]
    public void Offers_the_server_can_keep_are_accepted(string offer)
    {
        Assert.NotNull(Negotiate(Default, offer));
    }

    [Theory]
    [InlineData("permessage-deflate; server_max_window_bits=10")]
    [InlineData("permessage-deflate; unknown_parameter")]
    [InlineData("permessage-deflate; client_no_context_takeover; client_no_context_takeover")]
    [InlineData("permessage-deflate; server_no_context_takeover=1")]
    [InlineData("permessage-deflate; client_max_window_bits=16")]
    [InlineData("permessage-deflate; client_max_window_bits=7")]
    [InlineData("permessage-deflate; client_max_window_bits=010")]
    [InlineData("permessage-deflate; client_max_window_bits=")]
    [InlineData("permessage-deflate; server_max_window_bits")]
    [InlineData("permessage-deflate; server_max_window_bits=15; server_max_window_bits=15")]
    [InlineData("x-webkit-deflate-frame")]
    public void Offers_with_an_unknown_repeated_or_bad_parameter_or_another_name_are_declined(string offer)
    {
        Assert.Null(Negotiate(Default, offer));
    }

    [Fact]
    public void The_first_acceptable_of_several_offers_wins_across_elements_and_headers()
    {
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=11",
            Negotiate(Default, "permessage-deflate; server_max_window_bits=10, permessage-deflate; client_max_window_bits=11", "permessage-deflate"));
        Assert.Equal(
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover",
            Negotiate(Default, "foo, permessage-deflate; bogus", "permessage-deflate"));
    }

    [Fact]
    public void No_offer_means_no_extension()
    {
        Assert.Null(Negotiate(Default));
        Assert.Null(Negotiate(Default, ""));
    }
}
