using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using WsGateway.Options;

namespace WsGateway.Host;

/// <summary>Builds the configuration: gateway.json, then WSGATEWAY_ environment variables, then the command line.</summary>
internal static class HostConfiguration
{
    private static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--port"] = "Listen:Port",
        ["--config"] = "ConfigFile",
    };

    public static bool TryLoad(
        string[] args,
        [NotNullWhen(true)] out IConfigurationRoot? configuration,
        [NotNullWhen(true)] out GatewayOptions? options,
        [NotNullWhen(false)] out string? error)
    {
        configuration = null;
        options = null;
        var commandLine = new ConfigurationBuilder().AddCommandLine(args, SwitchMappings).Build();
        var path = Path.GetFullPath(commandLine["ConfigFile"] ?? "gateway.json");
        if (!File.Exists(path))
        {
            error = $"configuration file {path} not found (pass --config PATH)";
            return false;
        }

        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(path, optional: false, reloadOnChange: true)
                .AddEnvironmentVariables("WSGATEWAY_")
                .AddCommandLine(args, SwitchMappings)
                .Build();
            options = new GatewayOptions { BaseDirectory = Path.GetDirectoryName(path)! };
            configuration.Bind(options, binder => binder.ErrorOnUnknownConfiguration = false);
        }
        catch (Exception ex) when (ex is InvalidDataException or FormatException or InvalidOperationException)
        {
            error = $"{path}: {ex.Message}";
            return false;
        }

        error = null;
        return true;
    }
}
