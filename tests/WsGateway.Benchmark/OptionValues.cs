using System.Globalization;

namespace WsGateway.Benchmark;

/// <summary>A mode's <c>--name value</c> pairs; each option is taken once, and what is left over is a mistake.</summary>
internal sealed class OptionValues
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    private OptionValues()
    {
    }

    public static OptionValues Parse(string[] args)
    {
        var options = new OptionValues();
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected --name value, got \"{args[i]}\"");
            }

            options._values[args[i][2..]] = args[++i];
        }

        return options;
    }

    public string? Take(string name) => _values.Remove(name, out var value) ? value : null;

    public int Int(string name, int fallback) => Take(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public long Long(string name, long fallback) => Take(name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) => Take(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public int? NullableInt(string name) => Take(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;

    /// <summary>Throws for the first option no one took.</summary>
    public void EnsureAllTaken()
    {
        if (_values.Count > 0)
        {
            throw new ArgumentException($"unknown option --{_values.Keys.First()}");
        }
    }
}
