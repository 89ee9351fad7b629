using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.Loader;

namespace WsGateway.Scripts;

/// <summary>
/// A collectible home for one compiled version of one script, so that replacing or deleting the script lets the
/// runtime unload its code (an assembly in the default context lives until the process exits).
/// </summary>
internal sealed class ScriptLoadContext : AssemblyLoadContext
{
    private readonly FrozenDictionary<string, Assembly> _shared;
    private readonly FrozenDictionary<string, string> _privatePaths;

    /// <param name="name">Shown in diagnostics tools (dotnet-dump, dotnet-counters), so it names the script.</param>
    /// <param name="shared">
    /// Assemblies whose types the script and the gateway exchange (the contracts, Serilog, the globals type):
    /// handed out as the gateway loaded them, or an <c>ICommandContext</c> from the gateway would not be the
    /// <c>ICommandContext</c> the script was compiled against.
    /// </param>
    /// <param name="privatePaths">
    /// Configured references that are not part of the runtime, by simple name: loaded into this context so they
    /// unload with the script.
    /// </param>
    public ScriptLoadContext(
        string name,
        FrozenDictionary<string, Assembly> shared,
        FrozenDictionary<string, string> privatePaths)
        : base(name, isCollectible: true)
    {
        _shared = shared;
        _privatePaths = privatePaths;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var simpleName = assemblyName.Name;
        if (simpleName is null)
        {
            return null;
        }

        if (_shared.TryGetValue(simpleName, out var shared))
        {
            return shared;
        }

        // Null falls back to the default context: the runtime's own assemblies, shared by every script.
        return _privatePaths.TryGetValue(simpleName, out var path) ? LoadFromAssemblyPath(path) : null;
    }
}
