namespace WsGateway.IntegrationTests.Host;

/// <summary>A fact that needs <c>systemd-analyze</c> (Debian's <c>systemd</c> package), skipped where it is missing.</summary>
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        if (!path.Split(':', StringSplitOptions.RemoveEmptyEntries).Any(folder => File.Exists(Path.Combine(folder, "systemd-analyze"))))
        {
            Skip = "systemd-analyze is not installed (apt-get install systemd)";
        }
    }
}
