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
            long user = long.Parse(fields[11], CultureInfo.InvariantCulture);
            long system = long.Parse(fields[12], CultureInfo.InvariantCulture);
            return (user + system) * SecondsPerTick;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
