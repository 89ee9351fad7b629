using McMaster.NETCore.Plugins;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Plugins;

/// <summary>One version of one plugin: its own load context and the commands, authenticators and session hooks created from it.</summary>
internal sealed class LoadedPlugin : IDisposable
{
    private readonly PluginLoader _loader;

    public LoadedPlugin(
        string name, string? version, PluginFingerprint fingerprint, IReadOnlyList<CommandDescriptor> commands,
        IReadOnlyList<IAuthenticator> authenticators, IReadOnlyList<ISessionHook> hooks, PluginLoader loader)
    {
        Authenticators = authenticators;
        Hooks = hooks;
        Name = name;
        Version = version;
        Fingerprint = fingerprint;
        Commands = commands;
        _loader = loader;
    }

    public string Name { get; }

    public string? Version { get; }

    /// <summary>The files this version was loaded from.</summary>
    public PluginFingerprint Fingerprint { get; }

    public IReadOnlyList<CommandDescriptor> Commands { get; }

    /// <summary>The plugin's <see cref="IAuthenticator"/>s, one instance each.</summary>
    public IReadOnlyList<IAuthenticator> Authenticators { get; }

    /// <summary>The plugin's <see cref="ISessionHook"/>s, one instance each.</summary>
    public IReadOnlyList<ISessionHook> Hooks { get; }

    /// <summary>
    /// Starts unloading this version. Unloading is cooperative: calls still running on its code finish, and the
    /// runtime frees the context once nothing refers to it, so the owner must drop <see cref="Commands"/> first.
    /// </summary>
    public void Dispose() => _loader.Dispose();
}
