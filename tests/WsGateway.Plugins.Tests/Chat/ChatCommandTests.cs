using Chat;

namespace WsGateway.Plugins.Tests.Chat;

public sealed class ChatCommandTests
{
    private readonly FakeSession _ada = FakeSession.Authenticated("ada");
    private readonly FakeSession _guest = new() { Id = "00000000cafe0001" };

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("no spaces")]
    [InlineData("bad/room")]
    public async Task Join_without_a_valid_room_says_how(string arguments)
    {
        var join = await new JoinCommand().RunAsync(arguments, _ada);

        Assert.Equal("Which room? join <room>: letters, digits, '-', '_' and '.', up to 50 characters.", join.Reply);
        Assert.Empty(join.JoinedGroups);
    }

    [Fact]
    public async Task Join_enters_the_rooms_group_and_tells_the_room()
    {
        var join = await new JoinCommand().RunAsync(" lobby ", _ada);

        Assert.Equal(["chat:lobby"], join.JoinedGroups);
        Assert.Equal([new SentText("chat:lobby", "* ada joined lobby")], join.GroupSends);
        Assert.Empty(join.Replies);
        Assert.Equal(["chat:lobby"], _ada.Groups);
    }

    [Fact]
    public async Task Join_names_an_anonymous_caller_after_the_end_of_its_session_id() =>
        Assert.Equal([new SentText("chat:lobby", "* guest-cafe0001 joined lobby")], (await new JoinCommand().RunAsync("lobby", _guest)).GroupSends);

    [Fact]
    public async Task Join_the_room_you_are_in_changes_nothing()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var again = await new JoinCommand().RunAsync("lobby", _ada);

        Assert.Equal("You are already in lobby.", again.Reply);
        Assert.Empty(again.JoinedGroups);
        Assert.Empty(again.GroupSends);
    }

    [Fact]
    public async Task Join_another_room_leaves_the_first_and_tells_both()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var move = await new JoinCommand().RunAsync("kitchen", _ada);

        Assert.Equal(["chat:lobby"], move.LeftGroups);
        Assert.Equal(["chat:kitchen"], move.JoinedGroups);
        Assert.Equal([new SentText("chat:lobby", "* ada left lobby"), new SentText("chat:kitchen", "* ada joined kitchen")], move.GroupSends);
        Assert.Equal(["chat:kitchen"], _ada.Groups);
    }

    [Fact]
    public async Task Say_outside_a_room_asks_to_join_first() =>
        Assert.Equal("You are in no room; join <room> first.", (await new SayCommand().RunAsync("hello", _ada)).Reply);

    [Fact]
    public async Task Say_sends_the_trimmed_text_to_the_room_with_its_name_and_the_speaker()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var say = await new SayCommand().RunAsync("  hello all ", _ada);

        Assert.Equal([new SentText("chat:lobby", "[lobby] ada: hello all")], say.GroupSends);
        Assert.Empty(say.Replies);
    }

    [Fact]
    public async Task Say_nothing_asks_what()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var say = await new SayCommand().RunAsync(" ", _ada);

        Assert.Equal("Say what? say <text>", say.Reply);
        Assert.Empty(say.GroupSends);
    }

    [Fact]
    public async Task Leave_outside_a_room_says_so() =>
        Assert.Equal("You are in no room.", (await new LeaveCommand().RunAsync("", _ada)).Reply);

    [Fact]
    public async Task Leave_leaves_the_group_tells_the_room_and_the_caller()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var leave = await new LeaveCommand().RunAsync("", _ada);

        Assert.Equal(["chat:lobby"], leave.LeftGroups);
        Assert.Equal([new SentText("chat:lobby", "* ada left lobby")], leave.GroupSends);
        Assert.Equal("You left lobby.", leave.Reply);
        Assert.Empty(_ada.Groups);
        Assert.Equal("You are in no room; join <room> first.", (await new SayCommand().RunAsync("still here?", _ada)).Reply);
    }

    [Fact]
    public async Task Who_outside_a_room_asks_to_join_first() =>
        Assert.Equal("You are in no room; join <room> first.", (await new WhoCommand().RunAsync("", _ada)).Reply);

    [Fact]
    public async Task Who_lists_the_rooms_members_by_nick_in_order()
    {
        var bob = FakeSession.Authenticated("bob");
        var elsewhere = FakeSession.Authenticated("carol");
        await new JoinCommand().RunAsync("lobby", _ada);
        await new JoinCommand().RunAsync("lobby", bob);
        await new JoinCommand().RunAsync("lobby", _guest);
        await new JoinCommand().RunAsync("kitchen", elsewhere);

        var who = new FakeCommandContext("who", "", bob) { OtherSessions = [_guest, elsewhere, _ada] };
        await new WhoCommand().ExecuteAsync(who);

        Assert.Equal("In lobby: ada, bob, guest-cafe0001", who.Reply);
    }

    [Fact]
    public async Task Who_names_the_gateways_that_did_not_answer()
    {
        await new JoinCommand().RunAsync("lobby", _ada);

        var who = new FakeCommandContext("who", "", _ada) { MissingNodes = ["node-b"] };
        await new WhoCommand().ExecuteAsync(who);

        Assert.Equal("In lobby: ada (not heard from: node-b)", who.Reply);
    }
}
