using WsGateway.Options;

namespace WsGateway.Tests.Options;

public sealed class ClosestNameTests
{
    [Theory]
    [InlineData("MaxMesageBytes", "MaxMessageBytes")]
    [InlineData("maxmessagebytes", "MaxMessageBytes")]
    [InlineData("Prot", "Port")]
    [InlineData("Adress", "Address")]
    [InlineData("MaxConnection", "MaxConnections")]
    public void Typo_finds_the_key_it_was_meant_to_be(string typed, string expected)
    {
        string[] known = ["Address", "Port", "MaxMessageBytes", "MaxHandshakeBytes", "MaxConnections", "MaxConnectionsPerIp"];
        Assert.Equal(expected, ClosestName.Find(typed, known));
    }

    [Fact]
    public void A_different_word_gets_no_suggestion()
    {
        Assert.Null(ClosestName.Find("Banana", ["Address", "Port"]));
    }

    [Theory]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_counts_insertions_deletions_substitutions_and_swaps(string a, string b, int distance)
    {
        Assert.Equal(distance, ClosestName.Distance(a, b));
    }
}
