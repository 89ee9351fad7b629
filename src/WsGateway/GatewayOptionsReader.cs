using Microsoft.Extensions.Configuration;
using WsGateway.Options;

namespace WsGateway;

/// <summary>
/// Reads <see cref="GatewayOptions"/> from a configuration and checks them: unknown keys, values of the wrong type and
/// invalid values are all reported together, each naming its key, so one edit can fix them all.
/// </summary>
public static class GatewayOptionsReader
{
    /// <param name="configuration">The whole configuration (file, environment, command line).</param>
    /// <param name="baseDirectory">The folder relative paths resolve against (the folder of gateway.json).</param>
    /// <param name="otherSections">Top-level keys that are not the gateway's and are not checked (<c>Serilog</c>).</param>
    /// <param name="errors">Every problem found, one sentence each, starting with the key; empty on success.</param>
    /// <returns>The options, or null when there is any error.</returns>
    public static GatewayOptions? Read(
        IConfiguration configuration, string baseDirectory, IReadOnlyCollection<string> otherSections, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration = ReadEarlierForms(configuration);
        var problems = ConfigurationKeyChecker.Check(configuration, typeof(GatewayOptions), otherSections);
        var found = problems.Select(p => p.Message).ToList();

        // Bind what is left once the bad keys are taken out, so the values that did bind are validated too.
        var bindable = new ConfigurationBuilder()
            .AddInMemoryCollection(configuration.AsEnumerable().Where(pair =>
                !IsUnder(pair.Key, otherSections) && !IsUnder(pair.Key, problems.Select(p => p.Path))))
            .Build();
        var options = new GatewayOptions { BaseDirectory = baseDirectory };
        ClearConfiguredLists(options, bindable);
        try
        {
            bindable.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // Not expected after the checks above; the binder's message names the key, the stack trace would not help.
            found.Add(ex.Message);
        }

        found.AddRange(GatewayOptionsValidator.Validate(options));
        errors = found;
        return found.Count == 0 ? options : null;
    }

    /// <summary>
    /// Empties every list the configuration sets. The binder appends configured elements to the default ones, so
    /// <c>"Allowed": ["https://example.com"]</c> would still allow every default origin and <c>"Paths": []</c> would
    /// keep the default paths.
    /// </summary>
    private static void ClearConfiguredLists(object target, IConfiguration section)
    {
        foreach (var property in OptionProperties.KeysOf(target.GetType()))
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists())
            {
                continue;
            }

            if (OptionProperties.ListElementType(property.PropertyType) is { } element)
            {
                property.SetValue(target, Array.CreateInstance(element, 0));
            }
            else if (!OptionProperties.IsValue(property.PropertyType) && property.GetValue(target) is { } nested)
            {
                ClearConfiguredLists(nested, child);
            }
        }
    }

    /// <summary>
    /// <c>Proxies:ForwardedHeaders</c> was a bool, whose <c>true</c> (the default) also trusted <c>X-Forwarded-Proto</c>
    /// and <c>-Host</c>. Both values still read, as the list that keeps to what is safe behind any proxy: <c>true</c> as
    /// the default (<c>["For"]</c>), <c>false</c> as none.
    /// </summary>
    private static IConfiguration ReadEarlierForms(IConfiguration configuration)
    {
        const string key = "Proxies:ForwardedHeaders";
        if (!bool.TryParse(configuration[key], out bool on))
        {
            return configuration;
        }

        var pairs = configuration.AsEnumerable().Where(pair => !pair.Key.Equals(key, StringComparison.OrdinalIgnoreCase)).ToList();
        if (!on)
        {
            // What an empty JSON array reads as.
            pairs.Add(new(key, ""));
        }

        return new ConfigurationBuilder().AddInMemoryCollection(pairs).Build();
    }

    private static bool IsUnder(string key, IEnumerable<string> paths) =>
        paths.Any(path => key.Equals(path, StringComparison.OrdinalIgnoreCase) ||
                          (key.Length > path.Length && key[path.Length] == ':' && key.StartsWith(path, StringComparison.OrdinalIgnoreCase)));
}
