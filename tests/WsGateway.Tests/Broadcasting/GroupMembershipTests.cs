using WsGateway.Broadcasting;

namespace WsGateway.Tests.Broadcasting;

public sealed class GroupMembershipTests
{
    private sealed class Member(string name)
    {
        public override string ToString() => name;
    }

    [Fact]
    public void Members_join_once_and_a_group_disappears_with_its_last_member()
    {
        var groups = new GroupMembership<Member>();
        Member ada = new("ada"), bob = new("bob");

        Assert.True(groups.Join("lobby", ada));
        Assert.False(groups.Join("lobby", ada));
        Assert.True(groups.Join("lobby", bob));
        Assert.True(groups.Join("other", bob));
        Assert.Equal(["ada", "bob"], groups.Members("lobby").Select(m => m.ToString()).Order());
        Assert.Equal(2, groups.GroupCount);

        Assert.True(groups.Leave("lobby", ada));
        Assert.False(groups.Leave("lobby", ada));
        Assert.True(groups.Leave("lobby", bob));
        Assert.Empty(groups.Members("lobby"));
        Assert.Equal(1, groups.GroupCount);
        Assert.False(groups.Leave("nowhere", ada));
    }

    [Fact]
    public void ForEach_visits_each_member_of_the_group_only()
    {
        var groups = new GroupMembership<Member>();
        Member ada = new("ada"), bob = new("bob"), eve = new("eve");
        groups.Join("lobby", ada);
        groups.Join("lobby", bob);
        groups.Join("other", eve);

        var seen = new List<string>();
        Assert.Equal(2, groups.ForEach("lobby", seen, static (member, list) => { list.Add(member.ToString()!); return true; }));
        Assert.Equal(0, groups.ForEach("missing", seen, static (member, list) => { list.Add(member.ToString()!); return true; }));

        Assert.Equal(["ada", "bob"], seen.Order());
    }

    [Fact]
    public async Task Concurrent_joins_and_leaves_leave_no_member_behind()
    {
        var groups = new GroupMembership<Member>();
        var members = Enumerable.Range(0, 64).Select(i => new Member($"m{i}")).ToArray();

        await Task.WhenAll(members.Select(member => Task.Run(() =>
        {
            for (int round = 0; round < 200; round++)
            {
                groups.Join("busy", member);
                groups.Leave("busy", member);
            }
        })));

        Assert.Empty(groups.Members("busy"));
        Assert.Equal(0, groups.GroupCount);
    }
}
