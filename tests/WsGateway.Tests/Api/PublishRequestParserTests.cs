using System.Text;
using WsGateway.Api;
using WsGateway.Broadcasting;

namespace WsGateway.Tests.Api;

public sealed class PublishRequestParserTests
{
    private static (ApiProblem? Problem, PublishRequest? Request) Parse(string json) =>
        (PublishRequestParser.TryParse(Encoding.UTF8.GetBytes(json), out var request), request);

    [Fact]
    public void Each_audience_is_read()
    {
        Assert.Equal(Audience.Group("room"), Parse("""{"group":"room","text":"x"}""").Request!.To);
        Assert.Equal(Audience.User("ada"), Parse("""{"user":"ada","text":"x"}""").Request!.To);
        Assert.Equal(Audience.Session("ab12"), Parse("""{"session":"ab12","text":"x"}""").Request!.To);
        Assert.Equal(Audience.Everyone, Parse("""{"everyone":true,"text":"x"}""").Request!.To);
    }

    [Fact]
    public void Data_keeps_its_json_text_as_sent_and_the_event_name()
    {
        var request = Parse("""{ "data" : {"order": 123, "items": [1, "two"]}, "event": "order.shipped", "user": "ada" }""").Request!;

        Assert.Equal("""{"order": 123, "items": [1, "two"]}""", request.Data);
        Assert.Null(request.Text);
        Assert.Equal("order.shipped", request.Event);
        Assert.Equal("42", Parse("""{"everyone":true,"data":42}""").Request!.Data);
        Assert.Equal("\"s\"", Parse("""{"everyone":true,"data":"s"}""").Request!.Data);
    }

    [Theory]
    [InlineData("""{"everyone":true,"text":"x","x":1}""", "unknown-field", "x")]
    [InlineData("""{"everyone":true,"text":{"a":1}}""", "invalid-field", "text")]
    [InlineData("""{"group":7,"text":"x"}""", "invalid-field", "group")]
    [InlineData("""{"everyone":false,"text":"x"}""", "invalid-field", "everyone")]
    [InlineData("""{"everyone":true,"text":"x","event":"direct"}""", "invalid-field", "event")]
    [InlineData("""{"group":"a b","text":"x"}""", "invalid-group", "group")]
    [InlineData("""{"user":"","text":"x"}""", "invalid-field", "user")]
    [InlineData("""{"text":"x"}""", "missing-field", "group")]
    [InlineData("""{"everyone":true}""", "missing-field", "text")]
    [InlineData("""{"everyone":true,"text":"x","data":1}""", "invalid-field", "data")]
    [InlineData("""{"everyone":true,"text":"x",}""", "malformed-json", null)]
    [InlineData("""{"everyone":true,"text":"x"}x""", "malformed-json", null)]
    [InlineData("""{"everyone":true,/*c*/"text":"x"}""", "malformed-json", null)]
    [InlineData("null", "malformed-json", null)]
    [InlineData("", "malformed-json", null)]
    public void Bad_bodies_get_their_problem_and_field(string json, string name, string? field)
    {
        var (problem, request) = Parse(json);

        Assert.Null(request);
        Assert.Equal((400, name, field), (problem!.Status, problem.Name, problem.Field));
    }

    [Fact]
    public void Invalid_utf8_in_a_string_is_malformed_json()
    {
        byte[] body = [.. "{\"everyone\":true,\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.Equal("malformed-json", PublishRequestParser.TryParse(body, out _)!.Name);
    }
}
