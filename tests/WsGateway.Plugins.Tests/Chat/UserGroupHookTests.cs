using Chat;

namespace WsGateway.Plugins.Tests.Chat;

public sealed class UserGroupHookTests
{
    [Fact]
    public async Task An_authenticated_session_joins_its_users_group()
    {
        var session = FakeSession.Authenticated("ada", "admin");

        var opened = await new UserGroupHook().RunOpenedAsync(session);

        Assert.Equal(["user:ada"], opened.JoinedGroups);
        Assert.Equal(["user:ada"], session.Groups);
        Assert.Null(opened.Refused);
    }

    [Fact]
    public async Task An_anonymous_session_joins_nothing_and_is_let_in()
    {
        var opened = await new UserGroupHook().RunOpenedAsync(new FakeSession());

        Assert.Empty(opened.JoinedGroups);
        Assert.Null(opened.Refused);
    }

    [Fact]
    public async Task A_name_that_cannot_be_a_group_is_logged_and_the_session_let_in()
    {
        var opened = await new UserGroupHook().RunOpenedAsync(FakeSession.Authenticated("ada@example.org"));

        Assert.Empty(opened.JoinedGroups);
        Assert.Null(opened.Refused);
        Assert.Equal(["No user group for \"ada@example.org\": \"user:ada@example.org\" is not a valid group name"], opened.LogMessages);
    }
}
