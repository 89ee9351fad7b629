using System.Threading.Channels;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;
using Serilog;
using Serilog.Core;
using WsGateway.Options;

namespace WsGateway.Host;

/// <summary>
/// Applies configuration changes while the gateway runs: reads and validates the whole configuration again, then
/// either swaps in the new options and log level or refuses the change and keeps the running configuration.
/// </summary>
internal sealed class ConfigurationReloader : IDisposable
{
    /// <summary>Editors save in several steps (truncate and write, or write a copy and rename it), each a change.</summary>
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(250);

    private readonly HostConfiguration _configuration;
    private readonly LiveOptions _options;
    private readonly LoggingLevelSwitch _level;
    private readonly ILogger _log;
    private readonly Dictionary<string, string> _startup;

    // What the running configuration was read from: a save that changes no value (a second event of one copy, an
    // editor saving an unmodified file) is not a reload.
    private Dictionary<string, string> _applied;
    private bool _refused;
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly IDisposable _subscription;

    public ConfigurationReloader(HostConfiguration configuration, LiveOptions options, LoggingLevelSwitch level, ILogger log)
    {
        _configuration = configuration;
        _options = options;
        _level = level;
        _log = log;
        _startup = Snapshot();
        _applied = _startup;
        _subscription = ChangeToken.OnChange(configuration.Root.GetReloadToken, () => _changes.Writer.TryWrite(true));
    }

    /// <summary>Applies each change once the configuration has been quiet for a moment, until cancelled or disposed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await _changes.Reader.WaitToReadAsync(cancellationToken))
            {
                while (_changes.Reader.TryRead(out _))
                {
                    await Task.Delay(QuietPeriod, cancellationToken);
                }

                Apply();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _changes.Writer.TryComplete();
    }

    private void Apply()
    {
        var settings = _configuration.Read(out var errors);
        if (settings is null)
        {
            foreach (var error in errors)
            {
                _log.Warning("Configuration reload refused: {Error}", error);
            }

            _refused = true;
            return;
        }

        var now = Snapshot();
        var changed = ChangedKeys(_applied, now);
        if (changed.Count == 0)
        {
            if (_refused)
            {
                _log.Information("Configuration in {Path} is valid again and matches the running configuration", _configuration.FilePath);
            }
            else
            {
                _log.Debug("Configuration file {Path} was written without changing a value", _configuration.FilePath);
            }

            _refused = false;
            return;
        }

        IReadOnlyList<string> pinned;
        try
        {
            pinned = _options.Reload(settings.Gateway);
        }
        catch (Exception ex)
        {
            // A component's reaction to the new options failed; the reloader must keep serving later changes.
            _log.Error(ex, "Applying the reloaded configuration failed");
            return;
        }

        if (settings.MinimumLevel is { } level)
        {
            _level.MinimumLevel = level;
        }

        _applied = now;
        _refused = false;
        var restart = RestartKeys(pinned, now);
        if (restart.Count > 0)
        {
            _log.Warning("Configuration keys {Keys} changed; they take effect after a restart", restart);
        }

        _log.Information("Configuration reloaded from {Path}; changed: {Keys}", _configuration.FilePath, changed);
    }

    /// <summary>The keys, cut to <c>Section:Key</c>, whose values differ between two snapshots.</summary>
    private static List<string> ChangedKeys(Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. Differing(before, after).Select(Key).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The full paths of the keys added, removed or changed between two snapshots.</summary>
    private static List<string> Differing(Dictionary<string, string> before, Dictionary<string, string> after) =>
        [.. before.Keys.Union(after.Keys, StringComparer.OrdinalIgnoreCase)
            .Where(key => !before.TryGetValue(key, out var was) || !after.TryGetValue(key, out var now) || was != now)];

    /// <summary>
    /// The keys, as written in the configuration, that differ from startup in the sections the gateway pinned, and
    /// Serilog's keys except the levels: Serilog builds its sinks once.
    /// </summary>
    private List<string> RestartKeys(IReadOnlyList<string> pinned, Dictionary<string, string> now)
    {
        var changed = Differing(_startup, now);
        var keys = new List<string>();
        foreach (var section in pinned)
        {
            var under = changed.Where(key => IsUnder(key, section)).Select(Key).ToList();
            keys.AddRange(under.Count > 0 ? under : [section]);
        }

        keys.AddRange(changed.Where(key => IsUnder(key, "Serilog") && !FollowsReload(key)).Select(Key));
        return [.. keys.Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>
    /// Levels that change without a restart: the default level (this host's switch) and the overrides and level
    /// switches that existed at startup (Serilog reloads those itself, but cannot add new ones).
    /// </summary>
    private bool FollowsReload(string key) =>
        key.Equals("Serilog:MinimumLevel", StringComparison.OrdinalIgnoreCase) ||
        key.Equals("Serilog:MinimumLevel:Default", StringComparison.OrdinalIgnoreCase) ||
        ((IsUnder(key, "Serilog:MinimumLevel:Override") || IsUnder(key, "Serilog:LevelSwitches")) && _startup.ContainsKey(key));

    /// <summary>A configuration path cut to <c>Section:Key</c>: <c>Commands:Paths:1</c> is <c>Commands:Paths</c>.</summary>
    private static string Key(string path)
    {
        var parts = path.Split(':');
        return parts.Length <= 2 ? path : $"{parts[0]}:{parts[1]}";
    }

    private static bool IsUnder(string key, string section) =>
        key.Equals(section, StringComparison.OrdinalIgnoreCase) ||
        key.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase);

    private Dictionary<string, string> Snapshot() =>
        _configuration.Root.AsEnumerable()
            .Where(pair => pair.Value is not null)
            .ToDictionary(pair => pair.Key, pair => pair.Value!, StringComparer.OrdinalIgnoreCase);
}
