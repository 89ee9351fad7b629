using WsGateway.Handshake;

namespace WsGateway.Tests.Handshake;

/// <summary>The one parser of <c>Origins:Allowed</c> entries, as the origin policy matches them.</summary>
public sealed class OriginPatternTests
{
    private static bool Matches(string pattern, string origin, string? host = "localhost:12345", bool tls = false) =>
        OriginPattern.TryParse(pattern, out var problem)!.Matches(origin, host, tls) && problem is null;

    [Theory]
    [InlineData("http://localhost", "http://localhost:3000", true)]
    [InlineData("http://localhost", "HTTP://LOCALHOST", true)]
    [InlineData("http://localhost", "https://localhost", false)]
    [InlineData("http://localhost", "http://localhost.evil.example", false)]
    [InlineData("http://localhost:8080", "http://localhost:8080", true)]
    [InlineData("http://localhost:8080", "http://localhost:8081", false)]
    [InlineData("http://localhost:8080", "http://localhost", false)]
    [InlineData("http://[::1]", "http://[::1]:5173", true)]
    [InlineData("*", "https://anything.example", true)]
    [InlineData("null", "null", true)]
    [InlineData("null", "http://localhost", false)]
    public void Entries_match_origins_by_scheme_host_and_port(string pattern, string origin, bool matches)
    {
        Assert.Equal(matches, Matches(pattern, origin));
    }

    [Fact]
    public void Self_is_the_gateways_own_origin_from_the_checked_host_header()
    {
        Assert.True(Matches("self", "http://localhost:12345"));
        Assert.False(Matches("self", "http://localhost:1"));
        Assert.True(Matches("self", "https://localhost:12345", tls: true));
        Assert.False(Matches("self", "http://localhost:12345", tls: true));
        Assert.False(Matches("self", "http://localhost:12345", host: null));
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("https://x.com/path")]
    [InlineData("http://a:0")]
    public void Entries_that_cannot_match_do_not_parse(string pattern)
    {
        Assert.Null(OriginPattern.TryParse(pattern, out var problem));
        Assert.NotNull(problem);
    }
}
