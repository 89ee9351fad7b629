using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using WsGateway.Options;
using WsGateway.Tests.Plugins;

namespace WsGateway.Tests.Options;

/// <summary>The README's configuration table against the option classes, so that neither can change alone.</summary>
public sealed partial class ReadmeConfigurationTableTests
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public static TheoryData<string> Keys => [.. OptionKeys().Select(k => k.Key)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_option_is_in_the_readme_table_with_its_default(string key)
    {
        var row = Table().GetValueOrDefault(key);
        Assert.True(row is not null, $"README.md's configuration table has no row for `{key}`");

        var expected = JsonSerializer.SerializeToNode(OptionKeys().Single(k => k.Key == key).Default, Json);
        var documented = JsonNode.Parse(row.Default);
        Assert.True(JsonNode.DeepEquals(expected, documented),
            $"README.md gives `{key}` the default {row.Default}; the code's is {expected?.ToJsonString() ?? "null"}");
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void The_readme_says_whether_a_key_reloads_as_the_gateway_does(string key)
    {
        var row = Table().GetValueOrDefault(key);
        Assert.True(row is not null, $"README.md's configuration table has no row for `{key}`");
        var option = OptionKeys().Single(k => k.Key == key);
        var next = new GatewayOptions();
        var section = option.Section(next);
        option.Property.SetValue(section, Changed(option.Property.PropertyType, option.Property.GetValue(section)));

        var expected = new LiveOptions(new GatewayOptions()).Reload(next).Count == 0 ? "yes" : "no";
        Assert.True(expected == row.Reload, $"README.md says `{key}` reloads: {row.Reload}; a reload answers {expected}");
    }

    [Fact]
    public void The_readme_table_names_no_key_the_gateway_does_not_have()
    {
        var known = OptionKeys().Select(k => k.Key).ToHashSet();
        var unknown = Table().Keys.Where(key => !key.StartsWith("Serilog:", StringComparison.Ordinal) && !known.Contains(key));
        Assert.Empty(unknown);
    }

    /// <summary>
    /// Every Section:Key of <see cref="GatewayOptions"/>, walked by reflection, with the default value; a nested
    /// options class (Authentication:Jwt) contributes its own keys (Authentication:Jwt:Issuer).
    /// </summary>
    private static IEnumerable<(string Key, Func<GatewayOptions, object> Section, PropertyInfo Property, object? Default)> OptionKeys()
    {
        var defaults = new GatewayOptions();
        // BaseDirectory is where the file was found, not a key (see its doc comment).
        foreach (var section in Settable(typeof(GatewayOptions)).Where(p => p.Name != nameof(GatewayOptions.BaseDirectory)))
        {
            foreach (var key in KeysOf(section.Name, options => section.GetValue(options)!, section.PropertyType, defaults))
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<(string Key, Func<GatewayOptions, object> Section, PropertyInfo Property, object? Default)> KeysOf(
        string prefix, Func<GatewayOptions, object> section, Type type, GatewayOptions defaults)
    {
        foreach (var property in Settable(type))
        {
            var key = $"{prefix}:{property.Name}";
            if (IsNestedSection(property.PropertyType))
            {
                foreach (var nested in KeysOf(key, options => property.GetValue(section(options))!, property.PropertyType, defaults))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return (key, section, property, property.GetValue(section(defaults)));
            }
        }
    }

    private static bool IsNestedSection(Type type) =>
        type.IsClass && type != typeof(string) && !type.IsArray && type.Namespace == typeof(GatewayOptions).Namespace;

    private static IEnumerable<PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true });

    /// <summary>A value different from <paramref name="value"/>, to see whether a reload takes it.</summary>
    private static object Changed(Type type, object? value) => type switch
    {
        _ when type == typeof(string) => value + "changed",
        _ when type == typeof(string[]) => ((string[])value!).Append("/changed").ToArray(),
        _ when type == typeof(bool) => !(bool)value!,
        _ when type == typeof(int) => (int)value! + 1,
        _ when type == typeof(long) => (long)value! + 1,
        _ when type == typeof(double) => (double)value! + 1,
        _ when type.IsEnum => Enum.GetValues(type).Cast<object>().First(v => !v.Equals(value)),
        _ when type == typeof(ForwardedHeader[]) => ((ForwardedHeader[])value!).Append(ForwardedHeader.Host).ToArray(),
        _ when type == typeof(ApiKeyOptions[]) => ((ApiKeyOptions[])value!).Append(new ApiKeyOptions { Name = "changed" }).ToArray(),
        _ when type == typeof(HistoryGroupOptions[]) => ((HistoryGroupOptions[])value!).Append(new HistoryGroupOptions { Pattern = "changed" }).ToArray(),
        _ => throw new NotSupportedException($"Teach this test to change a {type}"),
    };

    /// <summary>The rows of the table under "## Configuration": key, the default as JSON, and the reload column.</summary>
    private static Dictionary<string, Row> Table()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));
        int start = readme.IndexOf("\n## Configuration\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Configuration\" section");
        int end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];

        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        foreach (Match match in TableRow().Matches(section))
        {
            rows.Add(match.Groups["key"].Value, new Row(match.Groups["default"].Value, match.Groups["reload"].Value));
        }

        return rows;
    }

    private sealed record Row(string Default, string Reload);

    // | `Section:Key` | `default as JSON` (optional words) | effect | yes/no |
    [GeneratedRegex(@"^\| `(?<key>[A-Za-z]+(:[A-Za-z]+)+)` \| (`(?<default>[^`]*)`)?[^|]* \|.*\| (?<reload>yes|no) \|$", RegexOptions.Multiline)]
    private static partial Regex TableRow();
}
