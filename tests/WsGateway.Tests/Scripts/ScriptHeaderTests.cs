using WsGateway.Commands;
using WsGateway.Contracts;
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

    private static readonly CallerIdentity Alice = new("alice", "jwt", ["admin"]);
    private static readonly CallerIdentity Bob = new("bob", "jwt", ["ops", "eu"]);

    [Theory]
    [InlineData("DateTime.Now")]
    [InlineData("// description: Tells the time\nDateTime.Now")]
    [InlineData("1\n// requires: authenticated")]
    public void A_script_without_requires_is_open_to_anyone(string source)
    {
        var header = ScriptHeader.Read(source);
        Assert.Same(CommandAccess.Anyone, header.Access);
        Assert.Null(header.Problem);
    }

    [Theory]
    [InlineData("// requires: authenticated\n1")]
    [InlineData("//Requires:  AUTHENTICATED  \r\n1")]
    public void Requires_authenticated_refuses_anonymous_callers(string source)
    {
        var header = ScriptHeader.Read(source, "me.csx");
        Assert.Null(header.Problem);
        Assert.True(header.Access.RequiresAuthentication);
        Assert.Empty(header.Access.RoleSets);
        Assert.False(header.Access.Allows(CallerIdentity.Anonymous));
        Assert.True(header.Access.Allows(new CallerIdentity("someone", "apikey")));
        Assert.Equal("authenticated", header.Access.ToString());
    }

    [Theory]
    [InlineData("// requires: role admin, ops")]
    [InlineData("// requires: roles admin,ops")]
    [InlineData("// requires: role   admin ,  ops  ")]
    [InlineData("// Requires: Role admin, ops")]
    [InlineData("//REQUIRES: ROLES\tadmin, ops")]
    public void Requires_role_lists_roles_any_of_which_will_do(string line)
    {
        var header = ScriptHeader.Read(line + "\n1");
        Assert.Null(header.Problem);
        Assert.Equal(["admin", "ops"], Assert.Single(header.Access.RoleSets));
        Assert.True(header.Access.Allows(Alice));
        Assert.True(header.Access.Allows(Bob));
        Assert.False(header.Access.Allows(new CallerIdentity("carol", "jwt", ["Admin"])));
    }

    [Fact]
    public void Several_requires_lines_must_all_hold_and_the_description_is_still_read()
    {
        var header = ScriptHeader.Read("""
            // description: Deploys to the EU
            // requires: role admin, ops
            // requires: role eu
            // requires: authenticated
            return "deployed";
            """);

        Assert.Null(header.Problem);
        Assert.Equal("Deploys to the EU", header.Description);
        Assert.Equal(["admin or ops", "eu"], header.Access.RoleSets.Select(set => string.Join(" or ", set)));
        Assert.True(header.Access.Allows(Bob));
        Assert.False(header.Access.Allows(Alice));
        Assert.Equal("admin or ops, eu", header.Access.ToString());
    }

    [Theory]
    [InlineData("// requires: admins", 1, 14, "admins")]
    [InlineData("// requires:", 1, 13, "")]
    [InlineData("// requires: role", 1, 14, "role")]
    [InlineData("// requires: role admin,,ops", 1, 14, "role admin,,ops")]
    [InlineData("// requires: role admin, ops team", 1, 14, "role admin, ops team")]
    [InlineData("// requires: role ,", 1, 14, "role ,")]
    [InlineData("// requires: everyone", 1, 14, "everyone")]
    [InlineData("// description: x\n  //   requires: nobody", 2, 18, "nobody")]
    [InlineData("\uFEFF// requires: authenticated\r\n// requires: group admin\r\n1", 2, 14, "group admin")]
    public void A_requires_line_that_does_not_parse_is_a_WSG0001_error_at_its_line_and_column(string source, int line, int column, string value)
    {
        var header = ScriptHeader.Read(source, "deploy.csx");

        var problem = Assert.IsType<ScriptDiagnostic>(header.Problem);
        Assert.Equal("deploy.csx", problem.File);
        Assert.Equal(line, problem.Line);
        Assert.Equal(column, problem.Column);
        Assert.Equal("WSG0001", problem.Id);
        Assert.Equal(ScriptHeader.DirectiveId, problem.Id);
        Assert.True(problem.IsError);
        Assert.Equal(
            $"\"requires: {value}\" is not a requirement; write \"requires: authenticated\" or \"requires: role NAME[, NAME...]\"",
            problem.Message);
        Assert.StartsWith($"deploy.csx({line},{column}): error WSG0001: ", problem.ToString(), StringComparison.Ordinal);
        // A script whose requirement cannot be read is not published; until then it claims no access rule.
        Assert.Same(CommandAccess.Anyone, header.Access);
    }
}
