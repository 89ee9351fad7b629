using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Serilog.Events;

namespace WsGateway.Host;

/// <summary>
/// The configuration: gateway.json, then WSGATEWAY_ environment variables, then the command line. Reads the host's
/// settings from it the same way at startup and at every reload.
/// </summary>
internal sealed class HostConfiguration : IDisposable
{
    /// <summary>Top-level keys that are not gateway options: Serilog's section and the <c>--config</c> switch.</summary>
    private static readonly string[] HostSections = ["Serilog", "ConfigFile"];

    private static readonly Dictionary<string, string> SwitchMappings = new()
    {
        ["--port"] = "Listen:Port",
        ["--config"] = "ConfigFile",
    };

    private readonly ConfigurationRoot _root;
    private readonly ConfigurationFileStatus _file;
    private readonly IDisposable _following;

    private HostConfiguration(ConfigurationRoot root, string filePath, ConfigurationFileStatus file)
    {
        _root = root;
        _file = file;
        FilePath = filePath;
        _following = file.Follow(root.Providers.OfType<JsonConfigurationProvider>().Single());
    }

    public IConfigurationRoot Root => _root;

    /// <summary>The full path of gateway.json (or of the <c>--config</c> file).</summary>
    public string FilePath { get; }

    public static bool TryBuild(
        string[] args,
        [NotNullWhen(true)] out HostConfiguration? configuration,
        [NotNullWhen(false)] out string? error)
    {
        configuration = null;
        if (UnknownShortSwitch(args) is { } unknown)
        {
            error = $"unknown switch {unknown} (use --config PATH, --port N or Section:Key=value)";
            return false;
        }

        try
        {
            var commandLine = new ConfigurationBuilder().AddCommandLine(args, SwitchMappings).Build();
            var named = commandLine["ConfigFile"];
            var path = named is null ? DefaultFile() : Path.GetFullPath(named);
            if (!File.Exists(path))
            {
                error = named is null
                    ? $"no gateway.json in the current directory or next to the executable ({string.Join(", ", DefaultFileCandidates())}; pass --config PATH)"
                    : $"configuration file {path} not found (pass --config PATH)";
                return false;
            }

            var file = new ConfigurationFileStatus(path);
            var root = (ConfigurationRoot)new ConfigurationBuilder()
                .AddJsonFile(source =>
                {
                    source.Path = path;
                    source.Optional = false;
                    source.ReloadOnChange = true;
                    source.OnLoadException = file.OnLoadException;
                    source.ResolveFileProvider();
                })
                .AddEnvironmentVariables("WSGATEWAY_")
                .AddCommandLine(args, SwitchMappings)
                .Build();
            configuration = new HostConfiguration(root, path, file);
            error = null;
            return true;
        }
        catch (FormatException ex)
        {
            // The command line: a switch that is not --port or --config, or a key without a value.
            error = ex.Message;
            return false;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The file exists but cannot be read (permissions, a folder of that name).
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Reads and validates the settings in force now.</summary>
    /// <param name="errors">Every problem found, each naming its key; empty when the result is not null.</param>
    public HostSettings? Read(out IReadOnlyList<string> errors)
    {
        if (_file.LoadError is { } loadError)
        {
            errors = [loadError];
            return null;
        }

        var options = GatewayOptionsReader.Read(_root, Path.GetDirectoryName(FilePath)!, HostSections, out var optionErrors);
        var found = optionErrors.ToList();
        var level = ReadMinimumLevel(_root, found);
        errors = found;
        return found.Count == 0 ? new HostSettings(options!, level) : null;
    }

    public void Dispose()
    {
        _following.Dispose();
        _root.Dispose();
    }

    /// <summary>
    /// Without <c>--config</c>: gateway.json in the current directory (a clone, <c>dotnet run</c>), else the one next to
    /// the executable (an installed single-file gateway started from anywhere, as systemd does).
    /// </summary>
    private static string DefaultFile()
    {
        var candidates = DefaultFileCandidates();
        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }

    private static List<string> DefaultFileCandidates()
    {
        // The executable's folder: Environment.ProcessPath for an apphost or a single-file binary (whose
        // AppContext.BaseDirectory may be the folder it extracted itself to); AppContext.BaseDirectory under
        // `dotnet WsGateway.Host.dll`, where the process is the dotnet muxer.
        var folders = new List<string> { Directory.GetCurrentDirectory() };
        if (Environment.ProcessPath is { } process
            && Path.GetDirectoryName(process) is { } processFolder
            && !Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.Ordinal))
        {
            folders.Add(processFolder);
        }

        folders.Add(AppContext.BaseDirectory);
        return folders
            .Select(folder => Path.GetFullPath(Path.Combine(folder, "gateway.json")))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// A single-dash switch without a mapping (<c>-p 9000</c>): the command-line provider skips those without a word,
    /// and the operator would run with the setting they did not mean.
    /// </summary>
    private static string? UnknownShortSwitch(string[] args)
    {
        for (int i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (!(arg.StartsWith('-') || arg.StartsWith('/')) || arg.Contains('=', StringComparison.Ordinal))
            {
                continue;
            }

            if (!arg.StartsWith("--", StringComparison.Ordinal) && !arg.StartsWith('/') && !SwitchMappings.ContainsKey(arg))
            {
                return arg;
            }

            // The next argument is this switch's value, even when it starts with "-" (a negative number).
            i++;
        }

        return null;
    }

    /// <summary>
    /// <c>Serilog:MinimumLevel</c> (a plain level) or <c>Serilog:MinimumLevel:Default</c>, checked here so that a typo
    /// is reported like any other key instead of as Serilog's exception.
    /// </summary>
    private static LogEventLevel? ReadMinimumLevel(IConfiguration configuration, List<string> errors)
    {
        var minimumLevel = configuration.GetSection("Serilog:MinimumLevel");
        if (minimumLevel.GetSection("ControlledBy").Value is not null)
        {
            return null;
        }

        var setting = string.IsNullOrEmpty(minimumLevel.Value) ? minimumLevel.GetSection("Default") : minimumLevel;
        if (string.IsNullOrEmpty(setting.Value))
        {
            return LogEventLevel.Information;
        }

        var names = Enum.GetNames<LogEventLevel>();
        var name = names.FirstOrDefault(n => n.Equals(setting.Value, StringComparison.OrdinalIgnoreCase));
        if (name is null)
        {
            errors.Add($"{setting.Path} \"{setting.Value}\" is not one of {string.Join(", ", names)}");
            return null;
        }

        return Enum.Parse<LogEventLevel>(name);
    }
}
