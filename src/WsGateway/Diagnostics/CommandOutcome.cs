namespace WsGateway.Diagnostics;

internal enum CommandOutcome
{
    Succeeded,
    Failed,
    TimedOut,
    Cancelled,

    /// <summary>The command has no version that works (a script that never compiled): it answered with its problem.</summary>
    Broken,

    /// <summary>The caller may not run it (a role or authentication it requires), or its credential expired.</summary>
    Denied,
}
