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
        Assert.Equal("\"7\"", request.Id);
        Assert.Equal("hello", request.Name);
        Assert.Equal("a b", request.Arguments);
        Assert.Null(request.Error);
    }

    [Fact]
    public void Id_is_kept_as_the_json_it_was_sent_as()
    {
        Assert.Equal("42", Parse("""{"id":42,"command":"x"}""").Id);
        Assert.Equal("-1.5e3", Parse("""{"id":-1.5e3,"command":"x"}""").Id);
        Assert.Equal("\"a\\\"b\"", Parse("""{"id":"a\"b","command":"x"}""").Id);
    }

    [Theory]
    [InlineData("""{"command":"x"}""")]
    [InlineData("""{"id":null,"command":"x"}""")]
    [InlineData("""{"id":[1],"command":"x"}""")]
    public void Envelope_without_a_string_or_number_id_has_an_empty_id(string json)
    {
        var request = Parse(json);
        Assert.True(request.IsEnvelope);
        Assert.Equal("", request.Id);
        Assert.Equal("x", request.Name);
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

    // Found by fuzzing (tests/WsGateway.Fuzz/crashers/command): Utf8JsonReader.GetString throws InvalidOperationException,
    // not JsonException, for an unpaired surrogate escape, which escaped the parser and closed the connection with 1011.
    [Theory]
    [InlineData("""{"id":"1","command":"\ud800"}""")]
    [InlineData("""{"id":"1","command":"x","args":"\ude00hi"}""")]
    [InlineData("""{"id":"1","com\udc00dand":"x","command":"\ud83d"}""")]
    public void Unpaired_surrogate_escape_in_a_value_is_an_error_that_keeps_the_id(string json)
    {
        var request = Parse(json);
        Assert.Equal("\"1\"", request.Id);
        Assert.Contains("unpaired surrogate", request.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"nd\ud83d":"7","command":"echo","args":"hi"}""")]
    [InlineData("""{"id":"7","command":"echo","ar\ud83d":"hi"}""")]
    public void Unpaired_surrogate_escape_in_an_unknown_property_name_is_ignored(string json)
    {
        var request = Parse(json);
        Assert.Null(request.Error);
        Assert.Equal("echo", request.Name);
    }
}
