using WsGateway.Options;

namespace WsGateway.Api;

/// <summary>Checks <c>Api</c>.</summary>
internal static class ApiOptionsValidator
{
    public static void Validate(ApiOptions api, OptionProblems problems)
    {
        problems.Range("Api:MaxBodyBytes", api.MaxBodyBytes, 1, 16 * 1024 * 1024);
        if (!(api.RequestsPerSecond >= 0 && double.IsFinite(api.RequestsPerSecond)))
        {
            problems.Add(OptionProblems.Invariant($"Api:RequestsPerSecond must be 0 (no limit) or more (was {api.RequestsPerSecond})"));
        }

        problems.Range("Api:Burst", api.Burst, 1, int.MaxValue);
    }
}
