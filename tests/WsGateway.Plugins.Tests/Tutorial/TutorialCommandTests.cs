using Tutorial;

namespace WsGateway.Plugins.Tests.Tutorial;

public sealed class TutorialCommandTests
{
    private readonly FakeSession _session = new();

    [Fact]
    public async Task Hello_asks_a_stranger_for_a_name() =>
        Assert.Equal("Hello, friend! Tell me your name with: name <yours>", (await new HelloCommand().RunAsync()).Reply);

    [Fact]
    public async Task Hi_greets_a_stranger() => Assert.Equal("Hi there!", (await new HiCommand().RunAsync()).Reply);

    [Fact]
    public async Task Name_alone_says_it_knows_no_name_yet() =>
        Assert.Equal("I don't know your name yet. Tell me with: name <yours>", (await new NameCommand().RunAsync()).Reply);

    [Fact]
    public async Task Name_is_remembered_trimmed_for_the_session_and_used_by_the_other_commands()
    {
        Assert.Equal("Nice to meet you, Ada.", (await new NameCommand().RunAsync("  Ada ", _session)).Reply);

        Assert.Equal("Your name is Ada.", (await new NameCommand().RunAsync("", _session)).Reply);
        Assert.Equal("Hello, Ada! Good to see you again.", (await new HelloCommand().RunAsync("", _session)).Reply);
        Assert.Equal("Hi, Ada!", (await new HiCommand().RunAsync("", _session)).Reply);
        Assert.Equal("Hi there!", (await new HiCommand().RunAsync("", new FakeSession())).Reply);
    }

    [Fact]
    public async Task Name_refuses_more_than_64_characters_and_keeps_none()
    {
        Assert.Equal("That name is too long; 64 characters at most, please.", (await new NameCommand().RunAsync(new string('x', 65), _session)).Reply);
        Assert.Equal("I don't know your name yet. Tell me with: name <yours>", (await new NameCommand().RunAsync("", _session)).Reply);
        Assert.Equal($"Nice to meet you, {new string('x', 64)}.", (await new NameCommand().RunAsync(new string('x', 64), _session)).Reply);
    }

    [Fact]
    public async Task Age_counts_the_minutes_since_the_connection_opened() =>
        Assert.Equal("I don't count birthdays, but we met 3 minutes ago.",
            (await new AgeCommand().RunAsync("", new FakeSession { ConnectedAt = DateTimeOffset.UtcNow.AddMinutes(-3).AddSeconds(-20) })).Reply);

    [Fact]
    public async Task Age_says_one_day_in_the_singular() =>
        Assert.Equal("I don't count birthdays, but we met 1 day ago.",
            (await new AgeCommand().RunAsync("", new FakeSession { ConnectedAt = DateTimeOffset.UtcNow.AddHours(-30) })).Reply);

    [Fact]
    public async Task Thanks_is_answered_politely() => Assert.Equal("You're welcome.", (await new ThanksCommand().RunAsync()).Reply);

    [Fact]
    public async Task Bye_says_goodbye_by_name_then_closes_normally()
    {
        await new NameCommand().RunAsync("Ada", _session);

        var bye = await new ByeCommand().RunAsync("", _session);

        Assert.Equal("Goodbye, Ada!", bye.Reply);
        Assert.Equal(new CloseRequest(1000, "bye"), bye.Closed);
    }

    [Fact]
    public async Task Bye_to_a_stranger_closes_too()
    {
        var bye = await new ByeCommand().RunAsync();

        Assert.Equal("Goodbye!", bye.Reply);
        Assert.Equal(new CloseRequest(1000, "bye"), bye.Closed);
    }
}
