using System.Text;
using Microsoft.Extensions.Configuration;
using WsGateway.Options;

namespace WsGateway.Tests.Options;

/// <summary>Reads gateway options from JSON text or single keys, the way the host reads gateway.json.</summary>
internal static class OptionsFixture
{
    public static readonly string[] HostSections = ["Serilog", "ConfigFile"];

    public static GatewayOptions? ReadJson(string json, out IReadOnlyList<string> errors, string? baseDirectory = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
        return GatewayOptionsReader.Read(configuration, baseDirectory ?? Path.GetTempPath(), HostSections, out errors);
    }

    public static GatewayOptions? ReadKeys(out IReadOnlyList<string> errors, params (string Key, string? Value)[] keys)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(keys.Select(k => new KeyValuePair<string, string?>(k.Key, k.Value)))
            .Build();
        return GatewayOptionsReader.Read(configuration, Path.GetTempPath(), HostSections, out errors);
    }

    /// <summary>The errors for one key set to one value.</summary>
    public static IReadOnlyList<string> ErrorsFor(string key, string value)
    {
        ReadKeys(out var errors, (key, value));
        return errors;
    }
}
