using System.Globalization;

namespace WsGateway.Options;

/// <summary>
/// Collects what is wrong with the options, one sentence per problem starting with its key
/// (<c>Commands:Paths[1]</c>), so an operator can fix them all in one edit. Each feature's validator adds to one of these.
/// </summary>
internal sealed class OptionProblems
{
    /// <summary>
    /// Longest allowed timeout, about 24.8 days: timers and <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>
    /// count whole milliseconds in 32 bits and throw beyond that, which would fail a connection, not the startup.
    /// </summary>
    public const double LongestSeconds = int.MaxValue / 1000;

    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages => _messages;

    public int Count => _messages.Count;

    public void Add(string message) => _messages.Add(message);

    public void Range(string key, long value, long min, long max, string why = "")
    {
        if (value < min || value > max)
        {
            Add(Invariant($"{key} must be between {min} and {max} (was {value}){why}"));
        }
    }

    public void Seconds(string key, double value, bool zeroAllowed)
    {
        // Written so that NaN fails too.
        if (zeroAllowed && !(value >= 0 && value <= LongestSeconds))
        {
            Add(Invariant($"{key} must be between 0 and {LongestSeconds} seconds (was {value})"));
        }
        else if (!zeroAllowed && !(value > 0 && value <= LongestSeconds))
        {
            Add(Invariant($"{key} must be more than 0 and at most {LongestSeconds} seconds (was {value})"));
        }
    }

    public void FileExists(string key, string path, GatewayOptions options)
    {
        string full;
        try
        {
            full = options.ResolvePath(path);
        }
        catch (ArgumentException)
        {
            Add($"{key} \"{path}\" is not a valid path");
            return;
        }

        if (!File.Exists(full))
        {
            Add($"{key} file not found: {full}");
        }
    }

    public void DirectoryPath(string key, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            Add($"{key} is empty (a folder, relative to the configuration file's folder)");
        }
        else if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            Add($"{key} \"{path}\" is not a valid path");
        }
    }

    /// <summary>RFC 7230 section 3.2.6 token: one or more tchar.</summary>
    public static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    /// <summary>The key of one element of a list: <c>Commands:Paths[1]</c>.</summary>
    public static string Element(string key, int index) => Invariant($"{key}[{index}]");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
