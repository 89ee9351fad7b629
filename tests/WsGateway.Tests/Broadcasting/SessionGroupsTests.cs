using WsGateway.Broadcasting;

namespace WsGateway.Tests.Broadcasting;

public sealed class SessionGroupsTests
{
    private sealed class Member;

    [Fact]
    public void Joins_and_leaves_go_to_the_node_membership()
    {
        var membership = new GroupMembership<Member>();
        var member = new Member();
        var groups = new SessionGroups<Member>(membership, member);

        Assert.Empty(groups.Names);
        Assert.True(groups.Join("lobby"));
        Assert.False(groups.Join("lobby"));
        Assert.True(groups.Join("room:1"));
        Assert.Equal(["lobby", "room:1"], groups.Names.Order());
        Assert.Same(member, Assert.Single(membership.Members("lobby")));

        Assert.True(groups.Leave("lobby"));
        Assert.False(groups.Leave("lobby"));
        Assert.Empty(membership.Members("lobby"));
        Assert.Single(membership.Members("room:1"));
    }

    [Fact]
    public void Ending_the_session_leaves_every_group_and_refuses_later_joins()
    {
        var membership = new GroupMembership<Member>();
        var groups = new SessionGroups<Member>(membership, new Member());
        groups.Join("a");
        groups.Join("b");

        groups.LeaveAll();

        Assert.Equal(0, membership.GroupCount);
        Assert.Empty(groups.Names);
        Assert.False(groups.Join("c"));
        Assert.Equal(0, membership.GroupCount);
    }

    [Fact]
    public void A_session_that_never_joined_ends_without_joining_later()
    {
        var membership = new GroupMembership<Member>();
        var groups = new SessionGroups<Member>(membership, new Member());

        groups.LeaveAll();

        Assert.False(groups.Join("late"));
        Assert.False(groups.Leave("late"));
        Assert.Equal(0, membership.GroupCount);
    }

    [Fact]
    public void Joins_racing_the_end_leave_nothing_behind()
    {
        // Bounded: 200 sessions, each with a joiner racing its end.
        var membership = new GroupMembership<Member>();
        Parallel.For(0, 200, i =>
        {
            var groups = new SessionGroups<Member>(membership, new Member());
            var joiner = Task.Run(() =>
            {
                for (int g = 0; g < 20; g++)
                {
                    groups.Join("g" + g);
                }
            });
            groups.LeaveAll();
            joiner.Wait();
        });

        Assert.Equal(0, membership.GroupCount);
    }
}
