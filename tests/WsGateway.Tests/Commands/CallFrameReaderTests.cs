using System.Text;
using WsGateway.Commands;

namespace WsGateway.Tests.Commands;

/// <summary>A client's <c>wsgateway.v1</c> frame: a call, or why not, with the call's id whenever it had a usable one.</summary>
public sealed class CallFrameReaderTests
{
    private static CommandRequest Read(string json) => CallFrameReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_call_gives_its_id_as_sent_its_command_its_args_and_its_data_as_json()
    {
        var request = Read("""{"type":"call","id":"c-1","command":" name ","args":"Ada","data":{"a":[1,2,{"b":null}]},"later":true}""");

        Assert.Null(request.Error);
        Assert.Equal("\"c-1\"", request.Id);
        Assert.Equal("name", request.Name);
        Assert.Equal("Ada", request.Arguments);
        Assert.Equal("""{"a":[1,2,{"b":null}]}""", request.Data);
    }

    [Theory]
    [InlineData("7", "7")]
    [InlineData("-12", "-12")]
    [InlineData("\"x\\\"y\"", "\"x\\\"y\"")]
    [InlineData("9007199254740993", "9007199254740993")]
    public void Ids_are_strings_or_integers_kept_as_the_json_they_were_sent_as(string id, string expected) =>
        Assert.Equal(expected, Read($$"""{"type":"call","id":{{id}},"command":"hi"}""").Id);

    [Fact]
    public void Args_default_to_empty_and_data_to_none() =>
        Assert.Equal(("", null), (Read("""{"type":"call","id":1,"command":"hi"}""").Arguments, Read("""{"type":"call","id":1,"command":"hi"}""").Data));

    [Theory]
    [InlineData("""{"type":"call","command":"hi"}""")]
    [InlineData("""{"type":"call","id":null,"command":"hi"}""")]
    [InlineData("""{"type":"call","id":"","command":"hi"}""")]
    [InlineData("""{"type":"call","id":1.5,"command":"hi"}""")]
    [InlineData("""{"type":"call","id":1e3,"command":"hi"}""")]
    [InlineData("""{"type":"call","id":true,"command":"hi"}""")]
    [InlineData("""{"type":"call","id":{"n":1},"command":"hi"}""")]
    [InlineData("""{"type":"call","id":[1],"command":"hi"}""")]
    public void A_call_without_a_usable_id_is_a_bad_id_error_without_one(string json)
    {
        var request = Read(json);

        Assert.Equal(CallErrors.BadId, request.ErrorCode);
        Assert.Null(request.Id);
    }

    [Fact]
    public void An_id_of_129_characters_is_too_long_and_128_is_not()
    {
        Assert.Equal(CallErrors.BadId, Read($$"""{"type":"call","id":"{{new string('a', 129)}}","command":"hi"}""").ErrorCode);
        Assert.Null(Read($$"""{"type":"call","id":"{{new string('a', 128)}}","command":"hi"}""").Error);
    }

    [Theory]
    [InlineData("""{"type":"subscribe","id":4,"channel":"x"}""", CallErrors.UnknownType)]
    [InlineData("""{"type":7,"id":4,"command":"hi"}""", CallErrors.BadFrame)]
    [InlineData("""{"id":4,"command":"hi"}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":"  "}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":["hi"]}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":"hi","args":3}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":"hi","command":"bye"}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":"hi","args":"\ud800"}""", CallErrors.BadFrame)]
    [InlineData("""{"type":"call","id":4,"command":"hi","data":[1,2""", CallErrors.BadFrame)]
    public void A_frame_that_is_not_a_good_call_is_an_error_that_keeps_its_id(string json, string code)
    {
        var request = Read(json);

        Assert.Equal(code, request.ErrorCode);
        Assert.Equal("4", request.Id);
        Assert.False(string.IsNullOrWhiteSpace(request.Error));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("\"call\"")]
    [InlineData("hello")]
    [InlineData("")]
    [InlineData("{\"type\":\"call\",")]
    public void What_is_not_a_json_object_is_a_bad_frame_without_an_id(string text)
    {
        var request = Read(text);

        Assert.Equal(CallErrors.BadFrame, request.ErrorCode);
        Assert.Null(request.Id);
    }

    [Fact]
    public void Json_nested_deeper_than_32_levels_is_too_deep_and_32_levels_are_not()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);

        // The frame object is level 1, so data may hold 31 levels.
        Assert.Null(Read($$"""{"type":"call","id":4,"command":"hi","data":{{Nested(31)}}}""").Error);
        var deep = Read($$"""{"type":"call","id":4,"command":"hi","data":{{Nested(5_000)}}}""");
        Assert.Equal(CallErrors.TooDeep, deep.ErrorCode);
        Assert.Equal("4", deep.Id);
    }
}
