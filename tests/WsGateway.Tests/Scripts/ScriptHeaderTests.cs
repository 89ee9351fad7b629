using WsGateway.Scripts;

namespace WsGateway.Tests.Scripts;

public sealed class ScriptHeaderTests
{
    [Theory]
    [InlineData("// description: Tells the time\nDateTime.Now", "Tells the time")]
    [InlineData("\uFEFF// description: After a byte order mark\r\n1", "After a byte order mark")]
    [InlineData("//Description:   Case and spacing do not matter  \n1", "Case and spacing do not matter")]
    [InlineData("  // description: Indented", "Indented")]
    public void First_line_description_comment_is_read(string source, string expected) =>
        Assert.Equal(expected, ScriptHeader.Read(source).Description);

    [Theory]
    [InlineData("")]
    [InlineData("DateTime.Now")]
    [InlineData("// just a comment\n1")]
    [InlineData("// description:\n1")]
    [InlineData("1\n// description: Not on the first line")]
    public void Anything_else_has_no_description(string source) =>
        Assert.Null(ScriptHeader.Read(source).Description);
}
