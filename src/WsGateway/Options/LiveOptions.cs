namespace WsGateway.Options;

/// <summary>
/// The options in force. Components read <see cref="Current"/> at each use instead of keeping a copy, so a
/// configuration reload reaches open connections too. Sections that only take effect at startup are pinned.
/// </summary>
public sealed class LiveOptions
{
    private GatewayOptions _current;

    public LiveOptions(GatewayOptions initial) => _current = initial;

    public GatewayOptions Current => Volatile.Read(ref _current);

    /// <summary>
    /// Takes the reloadable sections of <paramref name="next"/> (Limits, Commands timeout and binary handling, Origins, ...)
    /// and keeps the running values of those that need a restart.
    /// </summary>
    /// <returns>The configuration keys that changed but need a restart to take effect.</returns>
    public IReadOnlyList<string> Reload(GatewayOptions next)
    {
        var current = Current;
        var needRestart = new List<string>();
        next.BaseDirectory = current.BaseDirectory;
        next.Listen = Pin(nameof(GatewayOptions.Listen), current.Listen, next.Listen, needRestart);
        next.Tls = Pin(nameof(GatewayOptions.Tls), current.Tls, next.Tls, needRestart);
        next.Echo = Pin(nameof(GatewayOptions.Echo), current.Echo, next.Echo, needRestart);
        next.Plugins = Pin(nameof(GatewayOptions.Plugins), current.Plugins, next.Plugins, needRestart);
        next.Scripts = Pin(nameof(GatewayOptions.Scripts), current.Scripts, next.Scripts, needRestart);
        next.Cluster = Pin(nameof(GatewayOptions.Cluster), current.Cluster, next.Cluster, needRestart);
        // The history store is made with its rules at startup: other rules would renumber nothing and confuse recovery.
        next.History = Pin(nameof(GatewayOptions.History), current.History, next.History, needRestart);
        if (!current.Commands.Paths.SequenceEqual(next.Commands.Paths, StringComparer.Ordinal))
        {
            needRestart.Add("Commands:Paths");
            next.Commands.Paths = current.Commands.Paths;
        }

        Volatile.Write(ref _current, next);
        return needRestart;
    }

    private static T Pin<T>(string key, T current, T next, List<string> needRestart)
        where T : IEquatable<T>
    {
        if (current.Equals(next))
        {
            return next;
        }

        needRestart.Add(key);
        return current;
    }
}
