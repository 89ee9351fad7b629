using System.Text;
using WsGateway.Commands;

namespace WsGateway.Tests.Commands;

public sealed class CommandRequestParserTests
{
    private static CommandRequest Parse(string text) => CommandRequestParser.Parse(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("hello", "hello", "")]
    [InlineData("name Ada Lovelace", "name", "Ada Lovelace")]
    [InlineData("  name \t  Ada  ", "name", "Ada")]
    [InlineData("echo\ttabbed", "echo", "tabbed")]
    [InlineData("", "", "")]
    public void Plain_text_splits_name_and_arguments_at_the_first_blank(string text, string name, string arguments)
    {
        var request = Parse(text);
        Assert.Null(request.Id);
        Assert.Equal(name, request.Name);
        Assert.Equal(arguments, request.Arguments);
        Assert.Null(request.Error);
    }

    [Fact]
    public void Envelope_gives_id_command_and_args()
    {
        var request = Parse("""  {"id":"7","command":"hello","args":"a b","extra":{"ignored":[1,2]}}""");
        Assert.Equal("7", request.Id);
        Assert.Equal("hello", request.Name);
        Assert.Equal("a b", request.Arguments);
        Assert.Null(request.Error);
    }

    [Fact]
    public void Numeric_id_is_kept_as_its_text()
    {
        Assert.Equal("42", Parse("""{"id":42,"command":"x"}""").Id);
    }

    [Theory]
    [InlineData("""{"id":"1"}""")]
    [InlineData("""{"id":"1","command":""}""")]
    [InlineData("""{"id":"1","command":5}""")]
    [InlineData("""{"id":"1","command":"x" """)]
    [InlineData("""{not json""")]
    public void Broken_envelope_is_an_error_that_keeps_the_id_when_it_was_read(string json)
    {
        var request = Parse(json);
        Assert.True(request.IsEnvelope);
        Assert.NotNull(request.Error);
    }
}
