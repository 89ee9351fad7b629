using WsGateway.Options;

namespace WsGateway.Commands;

/// <summary>Checks <c>Commands</c> (its paths are checked with the other routes').</summary>
internal static class CommandOptionsValidator
{
    public static void Validate(CommandOptions commands, OptionProblems problems)
    {
        problems.Seconds("Commands:TimeoutSeconds", commands.TimeoutSeconds, zeroAllowed: false);
        if (!(commands.MessagesPerSecond >= 0 && double.IsFinite(commands.MessagesPerSecond)))
        {
            problems.Add(OptionProblems.Invariant($"Commands:MessagesPerSecond must be 0 (no limit) or more (was {commands.MessagesPerSecond})"));
        }

        problems.Range("Commands:Burst", commands.Burst, 1, int.MaxValue);
        if (!Enum.IsDefined(commands.RateLimitAction))
        {
            problems.Add($"Commands:RateLimitAction must be one of {string.Join(", ", Enum.GetNames<RateLimitAction>())} (was {commands.RateLimitAction})");
        }

        if (!Enum.IsDefined(commands.LogLevel))
        {
            problems.Add($"Commands:LogLevel must be one of {string.Join(", ", Enum.GetNames<CommandLogLevel>())} (was {commands.LogLevel})");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < commands.Subprotocols.Length; i++)
        {
            var name = commands.Subprotocols[i];
            if (!OptionProblems.IsToken(name))
            {
                // RFC 6455 section 4.1: each subprotocol is a token as defined by RFC 7230 section 3.2.6.
                problems.Add($"{OptionProblems.Element("Commands:Subprotocols", i)} \"{name}\" is not a subprotocol name " +
                             "(letters, digits and !#$%&'*+-.^_`|~ only, no spaces or separators)");
            }
            else if (!seen.Add(name))
            {
                problems.Add($"{OptionProblems.Element("Commands:Subprotocols", i)} \"{name}\" is listed twice");
            }
        }
    }
}
