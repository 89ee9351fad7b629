using WsGateway.Contracts;

namespace Tutorial;

public sealed class AgeCommand : ICommand
{
    public string Name => "age";

    public string Description => "How long we have known each other (this connection's age).";

    public ValueTask ExecuteAsync(ICommandContext context)
    {
        var known = DateTimeOffset.UtcNow - context.Session.ConnectedAt;
        return context.ReplyAsync($"I don't count birthdays, but we met {Describe(known)} ago.");
    }

    private static string Describe(TimeSpan span) => span switch
    {
        { TotalMinutes: < 1 } => Count((int)span.TotalSeconds, "second"),
        { TotalHours: < 1 } => Count((int)span.TotalMinutes, "minute"),
        { TotalDays: < 1 } => Count((int)span.TotalHours, "hour"),
        _ => Count((int)span.TotalDays, "day"),
    };

    private static string Count(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
}
