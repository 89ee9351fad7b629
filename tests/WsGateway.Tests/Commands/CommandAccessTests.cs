using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Tests.Commands;

public sealed class CommandAccessTests
{
    private static readonly CallerIdentity Anonymous = CallerIdentity.Anonymous;
    private static readonly CallerIdentity NoRoles = new("nobody", "jwt");
    private static readonly CallerIdentity Admin = new("alice", "jwt", ["admin"]);
    private static readonly CallerIdentity EuOps = new("bob", "apikey", ["ops", "eu"]);

    private static CommandAccess Roles(params string[][] sets) => new(true, [.. sets.Select(set => (IReadOnlyList<string>)set)]);

    [Fact]
    public void Anyone_may_run_an_unrestricted_command()
    {
        Assert.All([Anonymous, NoRoles, Admin], caller => Assert.True(CommandAccess.Anyone.Allows(caller)));
        Assert.Equal("", CommandAccess.Anyone.ToString());
    }

    [Fact]
    public void Authentication_alone_lets_in_every_authenticated_caller()
    {
        var access = new CommandAccess(true, []);
        Assert.False(access.Allows(Anonymous));
        Assert.True(access.Allows(NoRoles));
        Assert.True(access.Allows(Admin));
        Assert.Equal("requires an authenticated caller", access.Describe());
        Assert.Equal("authenticated", access.ToString());
    }

    [Fact]
    public void Any_role_of_a_set_satisfies_it()
    {
        var access = Roles(["admin", "ops"]);
        Assert.True(access.Allows(Admin));
        Assert.True(access.Allows(EuOps));
        Assert.False(access.Allows(NoRoles));
        Assert.False(access.Allows(Anonymous));
        Assert.Equal("requires the role admin or ops", access.Describe());
        Assert.Equal("admin or ops", access.ToString());
    }

    [Fact]
    public void Every_set_must_be_satisfied()
    {
        var access = Roles(["admin", "ops"], ["eu"]);
        Assert.True(access.Allows(EuOps));
        Assert.False(access.Allows(Admin));
        Assert.Equal("requires the role admin or ops and the role eu", access.Describe());
        Assert.Equal("admin or ops, eu", access.ToString());
    }

    [Fact]
    public void Roles_are_compared_case_sensitively()
    {
        Assert.False(Roles(["Admin"]).Allows(Admin));
        Assert.True(Roles(["admin"]).Allows(Admin));
    }

    [Fact]
    public void A_class_without_attributes_is_open_to_anyone()
    {
        Assert.Same(CommandAccess.Anyone, CommandAccess.Of(typeof(OpenCommand)));
    }

    [Fact]
    public void RequiresAuthentication_on_a_class_asks_for_an_authenticated_caller()
    {
        var access = CommandAccess.Of(typeof(SignedInCommand));
        Assert.True(access.RequiresAuthentication);
        Assert.Empty(access.RoleSets);
        Assert.False(access.Allows(Anonymous));
        Assert.True(access.Allows(NoRoles));
    }

    [Fact]
    public void RequiresRole_on_a_class_gives_one_set_per_attribute()
    {
        var access = CommandAccess.Of(typeof(RegionalAdminCommand));
        Assert.True(access.RequiresAuthentication);
        Assert.Equal(
            [["admin", "ops"], ["eu"]],
            access.RoleSets.Select(set => set.ToArray()).OrderBy(set => set.Length).Reverse());
        Assert.True(access.Allows(EuOps));
        Assert.False(access.Allows(Admin));
    }

    [Fact]
    public void Attributes_are_inherited_from_a_base_command_class()
    {
        var access = CommandAccess.Of(typeof(DerivedAdminCommand));
        Assert.Equal(["admin"], Assert.Single(access.RoleSets));
        Assert.True(access.Allows(Admin));
        Assert.False(access.Allows(NoRoles));

        Assert.True(CommandAccess.Of(typeof(DerivedSignedInCommand)).RequiresAuthentication);
    }

    private sealed class OpenCommand;

    [RequiresAuthentication]
    private class SignedInCommand;

    private sealed class DerivedSignedInCommand : SignedInCommand;

    [RequiresRole("admin", "ops")]
    [RequiresRole("eu")]
    private sealed class RegionalAdminCommand;

    [RequiresRole("admin")]
    private abstract class AdminCommandBase;

    private sealed class DerivedAdminCommand : AdminCommandBase;
}
