using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Settings.Configuration;

namespace WsGateway.Host;

/// <summary>Builds the logger from the <c>Serilog</c> section.</summary>
internal static class HostLogging
{
    /// <summary>
    /// The console format when the configuration names no sink; gateway.json uses the same. The session column is
    /// blank for lines that belong to no connection.
    /// </summary>
    public const string ConsoleTemplate = "[{Timestamp:HH:mm:ss} {Level:u3} {SessionId,-6}] {Message:lj}{NewLine}{Exception}";

    /// <param name="level">
    /// Controls the minimum level when <paramref name="settings"/> has one; the host moves it on each accepted reload.
    /// </param>
    public static Logger CreateLogger(IConfiguration configuration, HostSettings settings, LoggingLevelSwitch level)
    {
        // Naming the sink assemblies keeps WriteTo working where Serilog cannot discover them from the .deps.json
        // (a single-file publish). A "Using" section in the configuration still adds others.
        var reader = new ConfigurationReaderOptions(
            typeof(ConsoleLoggerConfigurationExtensions).Assembly,
            typeof(FileLoggerConfigurationExtensions).Assembly);
        var logging = new LoggerConfiguration()
            .ReadFrom.Configuration(configuration, reader)
            .Enrich.FromLogContext();
        if (settings.MinimumLevel is not null)
        {
            // Set after ReadFrom so that this switch, not the one Serilog made for MinimumLevel:Default, is in force:
            // the level then changes with accepted reloads only, like every other setting.
            logging.MinimumLevel.ControlledBy(level);
        }

        if (!configuration.GetSection("Serilog:WriteTo").Exists())
        {
            // A configuration without sinks still tells the operator what happens.
            logging.WriteTo.Console(outputTemplate: ConsoleTemplate);
        }

        return logging.CreateLogger();
    }
}
