namespace WsGateway.IntegrationTests.Interop;

/// <summary>How a client program ended: its exit code (null when it was killed at the deadline) and its output.</summary>
internal sealed record ProgramRun(string Command, int? ExitCode, string Stdout, string Stderr)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>Everything a failure message needs to be read without re-running the test.</summary>
    public string Describe() =>
        $"{Command}\nexit code: {ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none (killed)"}\n" +
        $"stdout:\n{Stdout}\nstderr:\n{Stderr}";
}
