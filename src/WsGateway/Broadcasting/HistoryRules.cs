using WsGateway.Options;

namespace WsGateway.Broadcasting;

/// <summary>Which rule of <c>History:Groups</c> keeps a group's history: the first whose pattern matches.</summary>
internal static class HistoryRules
{
    public static HistoryGroupOptions? Match(HistoryGroupOptions[] rules, string group)
    {
        foreach (var rule in rules)
        {
            if (GroupPattern.Matches(rule.Pattern, group))
            {
                return rule;
            }
        }

        return null;
    }
}
