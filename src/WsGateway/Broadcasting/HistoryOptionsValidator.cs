using System.Globalization;
using WsGateway.Contracts;
using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>Checks <c>History</c>.</summary>
internal static class HistoryOptionsValidator
{
    public static void Validate(GatewayOptions options, OptionProblems problems)
    {
        var groups = options.History.Groups;
        for (int i = 0; i < groups.Length; i++)
        {
            var key = string.Create(CultureInfo.InvariantCulture, $"History:Groups[{i}]");
            var rule = groups[i];
            if (!GroupPattern.IsValid(rule.Pattern))
            {
                problems.Add($"{key}:Pattern \"{rule.Pattern}\" must be a group name, or a prefix of one followed by '*'");
            }

            problems.Range($"{key}:Size", rule.Size, 1, 100_000);
            if (!(rule.TtlSeconds > 0 && rule.TtlSeconds <= 7 * 24 * 3600))
            {
                problems.Add(OptionProblems.Invariant($"{key}:TtlSeconds must be more than 0 and at most a week (was {rule.TtlSeconds})"));
            }
        }
    }
}

/// <summary>A <c>History:Groups</c> pattern: a group name, or a prefix and a final <c>*</c>.</summary>
internal static class GroupPattern
{
    public static bool IsValid(string pattern) =>
        pattern.EndsWith('*')
            ? pattern.Length == 1 || GroupNames.IsValid(pattern[..^1])
            : GroupNames.IsValid(pattern);

    public static bool Matches(string pattern, string group) =>
        pattern.EndsWith('*') ? group.StartsWith(pattern.AsSpan(0, pattern.Length - 1), StringComparison.Ordinal) : pattern == group;
}
