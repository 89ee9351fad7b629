using System.Globalization;

namespace WsGateway.Benchmark;

/// <summary>CPU time of a process, all threads together, from /proc (Linux clock ticks of 10 ms).</summary>
internal static class ProcessCpu
{
    private const double SecondsPerTick = 0.01;

    /// <returns>User plus system seconds, or null when the process cannot be read.</returns>
    public static double? Seconds(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields.Length > 12
                && long.TryParse(fields[11], CultureInfo.InvariantCulture, out long user)
                && long.TryParse(fields[12], CultureInfo.InvariantCulture, out long system)
                ? (user + system) * SecondsPerTick
                : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
