using System.Globalization;

namespace WsGateway.Benchmark;

/// <summary>CPU time of a process, all threads together or some by name, from /proc (Linux clock ticks of 10 ms).</summary>
internal static class ProcessCpu
{
    private const double SecondsPerTick = 0.01;

    /// <returns>User plus system seconds, or null when the process cannot be read.</returns>
    public static double? Seconds(int pid) => FromStat($"/proc/{pid}/stat");

    /// <summary>
    /// CPU seconds of each thread of <paramref name="pid"/> whose name starts with <paramref name="namePrefix"/>, by
    /// thread id: e.g. ".NET Tiered Com" (the runtime's background JIT, which it starts and ends as work comes and goes).
    /// </summary>
    /// <returns>Null when the process cannot be read.</returns>
    public static Dictionary<int, double>? ThreadSeconds(int pid, string namePrefix)
    {
        try
        {
            var threads = new Dictionary<int, double>();
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(namePrefix, StringComparison.Ordinal)
                        && FromStat(Path.Combine(task, "stat")) is { } seconds)
                    {
                        threads[int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture)] = seconds;
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The thread ended meanwhile.
                }
            }

            return threads;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What the threads of <paramref name="after"/> used since <paramref name="before"/> (new ones from zero).</summary>
    public static double Used(Dictionary<int, double> before, Dictionary<int, double> after) =>
        after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key));

    private static double? FromStat(string path)
    {
        try
        {
            string stat = File.ReadAllText(path);
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
