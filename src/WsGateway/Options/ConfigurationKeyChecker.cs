using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Configuration;

namespace WsGateway.Options;

/// <summary>
/// Walks a configuration against the properties of an options class and reports what the binder would silently
/// ignore (unknown keys: a typo would leave the default in force) or stop at (a value of the wrong type, which it
/// reports one at a time as an exception).
/// </summary>
internal static class ConfigurationKeyChecker
{
    /// <param name="root">The whole configuration.</param>
    /// <param name="optionsType">The class the top-level keys bind to.</param>
    /// <param name="otherSections">Top-level keys that belong to someone else (the <c>Serilog</c> section) and are not checked.</param>
    public static List<ConfigurationProblem> Check(IConfiguration root, Type optionsType, IReadOnlyCollection<string> otherSections)
    {
        var problems = new List<ConfigurationProblem>();
        var keys = OptionProperties.KeysOf(optionsType);
        foreach (var child in root.GetChildren())
        {
            if (otherSections.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var property = keys.FirstOrDefault(p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add(Unknown(child, child.Key, [.. keys.Select(p => p.Name), .. otherSections]));
                continue;
            }

            CheckNode(child, property.Name, property.PropertyType, problems);
        }

        return problems;
    }

    private static void CheckNode(IConfigurationSection section, string key, Type type, List<ConfigurationProblem> problems)
    {
        if (OptionProperties.IsValue(type))
        {
            CheckValue(section, key, type, problems);
        }
        else if (OptionProperties.ListElementType(type) is { } element)
        {
            CheckList(section, key, element, problems);
        }
        else
        {
            CheckSection(section, key, type, problems);
        }
    }

    private static void CheckSection(IConfigurationSection section, string key, Type type, List<ConfigurationProblem> problems)
    {
        var keys = OptionProperties.KeysOf(type);
        // An empty JSON object reads as an empty value; anything else in place of a section is a mistake.
        if (!string.IsNullOrEmpty(section.Value))
        {
            problems.Add(new(section.Path,
                $"{key} must be a section with the keys {string.Join(", ", keys.Select(p => p.Name))}, not the value \"{section.Value}\""));
            return;
        }

        foreach (var child in section.GetChildren())
        {
            var property = keys.FirstOrDefault(p => p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
            if (property is null)
            {
                problems.Add(Unknown(child, $"{key}:{child.Key}", [.. keys.Select(p => p.Name)]));
                continue;
            }

            CheckNode(child, $"{key}:{property.Name}", property.PropertyType, problems);
        }
    }

    private static void CheckList(IConfigurationSection section, string key, Type element, List<ConfigurationProblem> problems)
    {
        // An empty JSON array reads as an empty value. A plain value is the usual mistake with environment variables.
        if (!string.IsNullOrEmpty(section.Value))
        {
            problems.Add(new(section.Path,
                $"{key} must be a list, not the value \"{section.Value}\" (outside JSON, set its elements as {key}:0, {key}:1, ...)"));
            return;
        }

        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problems.Add(new(child.Path, $"{key}:{child.Key} is not a list element (elements are numbered {key}:0, {key}:1, ...)"));
                continue;
            }

            CheckNode(child, $"{key}[{child.Key}]", element, problems);
        }
    }

    private static void CheckValue(IConfigurationSection section, string key, Type type, List<ConfigurationProblem> problems)
    {
        if (section.GetChildren().Any())
        {
            problems.Add(new(section.Path, $"{key} must be a single value, not a section"));
            return;
        }

        if (section.Value is { } value && Problem(value, type) is { } problem)
        {
            problems.Add(new(section.Path, $"{key} \"{value}\" {problem}"));
        }
    }

    /// <summary>Null when the binder converts <paramref name="value"/> to <paramref name="type"/>; else what is wrong.</summary>
    private static string? Problem(string value, Type type)
    {
        var nullable = Nullable.GetUnderlyingType(type);
        var target = nullable ?? type;
        if (target == typeof(string) || (nullable is not null && value.Length == 0))
        {
            return null;
        }

        if (target.IsEnum)
        {
            // The binder also takes numbers and comma-separated combinations; a name is what a reader understands.
            var names = Enum.GetNames(target);
            return names.Any(n => n.Equals(value, StringComparison.OrdinalIgnoreCase))
                ? null
                : $"is not one of {string.Join(", ", names)}";
        }

        try
        {
            // The same conversion the configuration binder makes.
            TypeDescriptor.GetConverter(target).ConvertFromInvariantString(value);
            return null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or NotSupportedException)
        {
            if (target == typeof(bool))
            {
                return "is not true or false";
            }

            if (target == typeof(double) || target == typeof(float) || target == typeof(decimal))
            {
                return "is not a number";
            }

            return BigInteger.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
                ? $"is out of range ({Limits(target)})"
                : "is not a whole number";
        }
    }

    private static string Limits(Type type) =>
        type == typeof(int) ? string.Create(CultureInfo.InvariantCulture, $"{int.MinValue} to {int.MaxValue}")
        : type == typeof(long) ? string.Create(CultureInfo.InvariantCulture, $"{long.MinValue} to {long.MaxValue}")
        : type.Name;

    private static ConfigurationProblem Unknown(IConfigurationSection section, string key, IReadOnlyList<string> known)
    {
        var hint = ClosestName.Find(section.Key, known) is { } closest
            ? $"did you mean {closest}?"
            : $"known keys here: {string.Join(", ", known)}";
        return new(section.Path, $"{key} is not a known key ({hint})");
    }
}
