using System.Reflection;
using McMaster.NETCore.Plugins;
using Serilog;
using WsGateway.Commands;
using WsGateway.Contracts;

namespace WsGateway.Plugins;

/// <summary>Loads one plugin assembly into a fresh collectible context and creates its commands.</summary>
internal static class PluginActivator
{
    /// <summary>
    /// Types whose assemblies come from the host, never from the plugin's folder: the contract (or a plugin's
    /// <see cref="ICommand"/> would not be ours) and Serilog (the contract exposes its <see cref="ILogger"/>).
    /// </summary>
    private static readonly Type[] SharedTypes = [typeof(ICommand), typeof(ILogger)];

    private static readonly AssemblyName ContractName = typeof(ICommand).Assembly.GetName();

    /// <summary>Source key under which a plugin's commands live in the <see cref="CommandRegistry"/>.</summary>
    public static string SourceKey(string pluginName) => "plugin:" + pluginName;

    /// <summary>
    /// Loads <paramref name="assemblyPath"/> (whose folder <paramref name="fingerprint"/> describes) and instantiates each public, concrete
    /// <see cref="ICommand"/>, <see cref="IAuthenticator"/> and <see cref="ISessionHook"/> with a public parameterless constructor, once. One that
    /// cannot be created or described is logged and skipped.
    /// </summary>
    /// <exception cref="PluginLoadException">The plugin as a whole cannot serve; nothing of it stays loaded.</exception>
    public static LoadedPlugin Load(string pluginName, string assemblyPath, PluginFingerprint fingerprint, ILogger log)
    {
        PluginLoader loader;
        try
        {
            loader = PluginLoader.CreateFromAssemblyFile(
                assemblyPath,
                isUnloadable: true,
                sharedTypes: SharedTypes,
                config =>
                {
                    // Read each file into memory instead of mapping it, so the file is not locked and a build can
                    // overwrite it while this version serves. (EnableHotReload would do this too, but its reload
                    // unloads the old version before the new one has loaded; see PluginCatalog.)
                    config.LoadInMemory = true;
                });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new PluginLoadException("its load context could not be created (is its .deps.json valid?)", ex);
        }

        try
        {
            var assembly = LoadMainAssembly(loader);
            EnsureReferencesResolve(loader, assembly);
            var version = VersionOf(assembly);
            var origin = new CommandOrigin(CommandOriginKind.Plugin, pluginName, version);
            var types = PublicTypes(assembly, origin, log);
            var commands = CreateCommands(types, origin, log);
            var authenticators = CreateAuthenticators(types, origin, log);
            var hooks = CreateHooks(types, origin, log);
            if (commands.Count == 0 && authenticators.Count == 0 && hooks.Count == 0)
            {
                throw new PluginLoadException(
                    "it has no usable command, authenticator or session hook (a public class implementing ICommand, IAuthenticator or ISessionHook with a public parameterless constructor)");
            }

            return new LoadedPlugin(pluginName, version, fingerprint, commands, authenticators, hooks, loader);
        }
        catch
        {
            loader.Dispose();
            throw;
        }
    }

    private static Assembly LoadMainAssembly(PluginLoader loader)
    {
        try
        {
            return loader.LoadDefaultAssembly();
        }
        catch (BadImageFormatException ex)
        {
            throw new PluginLoadException("it is not a .NET assembly", ex);
        }
        catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or IOException)
        {
            throw new PluginLoadException("its assembly could not be read", ex);
        }
    }

    /// <summary>
    /// Resolves every assembly the plugin references now, so a missing private dependency fails the load (and keeps
    /// the last good version serving) instead of failing the first call that happens to need it.
    /// </summary>
    private static void EnsureReferencesResolve(PluginLoader loader, Assembly assembly)
    {
        foreach (var reference in assembly.GetReferencedAssemblies())
        {
            if (reference.Name == ContractName.Name && reference.Version is { } builtAgainst &&
                ContractVersionCheck.Refusal(builtAgainst, ContractName.Version!) is { } refusal)
            {
                throw new PluginLoadException(refusal);
            }

            try
            {
                loader.LoadAssembly(reference);
            }
            catch (Exception ex) when (ex is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                throw new PluginLoadException($"its dependency {reference.FullName} could not be loaded", ex);
            }
        }
    }

    private static string? VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return assembly.GetName().Version?.ToString();
        }

        // The SDK appends "+<commit>" (SemVer build metadata); help and logs want the version people chose.
        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }

    private static List<CommandDescriptor> CreateCommands(IReadOnlyList<Type> types, CommandOrigin origin, ILogger log)
    {
        var commands = new List<CommandDescriptor>();
        foreach (var type in types.Where(typeof(ICommand).IsAssignableFrom))
        {
            if (TryCreate(type, origin, log) is not { } command)
            {
                continue;
            }

            if (commands.Exists(c => string.Equals(c.Name, command.Name, StringComparison.OrdinalIgnoreCase)))
            {
                log.Warning("Plugin {Plugin} defines command {Command} twice; {Type} is skipped",
                    origin.Name, command.Name, type.FullName);
                continue;
            }

            commands.Add(command);
        }

        return commands;
    }

    private static List<IAuthenticator> CreateAuthenticators(IReadOnlyList<Type> types, CommandOrigin origin, ILogger log)
    {
        var authenticators = new List<IAuthenticator>();
        foreach (var type in types.Where(typeof(IAuthenticator).IsAssignableFrom))
        {
            try
            {
                var authenticator = (IAuthenticator)Construct(type);
                if (!CommandNames.IsValid(authenticator.Name))
                {
                    log.Warning("Plugin {Plugin} authenticator {Type} is skipped: its name {Name} is not letters, digits, '-', '_' and '.'",
                        origin.Name, type.FullName, authenticator.Name);
                    continue;
                }

                authenticators.Add(authenticator);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.Warning(ex, "Plugin {Plugin} authenticator {Type} is skipped: its constructor or Name threw", origin.Name, type.FullName);
            }
        }

        return authenticators;
    }

    private static List<ISessionHook> CreateHooks(IReadOnlyList<Type> types, CommandOrigin origin, ILogger log)
    {
        var hooks = new List<ISessionHook>();
        foreach (var type in types.Where(typeof(ISessionHook).IsAssignableFrom))
        {
            try
            {
                hooks.Add((ISessionHook)Construct(type));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                log.Warning(ex, "Plugin {Plugin} session hook {Type} is skipped: its constructor threw", origin.Name, type.FullName);
            }
        }

        return hooks;
    }

    // DoNotWrapExceptions: log what the constructor threw, not a TargetInvocationException around it.
    private static object Construct(Type type) =>
        type.GetConstructor(Type.EmptyTypes)!.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, parameters: [], culture: null);

    /// <summary>The public, concrete classes with a public parameterless constructor: candidates for commands and authenticators.</summary>
    private static List<Type> PublicTypes(Assembly assembly, CommandOrigin origin, ILogger log)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            // Some types need a dependency that is missing; the others can still serve.
            log.Warning(ex.LoaderExceptions.FirstOrDefault(e => e is not null) ?? ex,
                "Plugin {Plugin} has types that cannot be loaded; those are skipped", origin.Name);
            types = [.. ex.Types.OfType<Type>()];
        }

        return [.. types.Where(t =>
            t.IsVisible &&
            t.IsClass &&
            !t.IsAbstract &&
            !t.ContainsGenericParameters &&
            t.GetConstructor(Type.EmptyTypes) is not null)];
    }

    private static CommandDescriptor? TryCreate(Type type, CommandOrigin origin, ILogger log)
    {
        ICommand command;
        try
        {
            command = (ICommand)Construct(type);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.Warning(ex, "Plugin {Plugin} command {Type} is skipped: its constructor threw", origin.Name, type.FullName);
            return null;
        }

        string name;
        string description;
        try
        {
            name = command.Name;
            description = command.Description ?? string.Empty;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            log.Warning(ex, "Plugin {Plugin} command {Type} is skipped: its Name or Description threw", origin.Name, type.FullName);
            return null;
        }

        if (!CommandNames.IsValid(name))
        {
            log.Warning(
                "Plugin {Plugin} command {Type} is skipped: its name {Command} is not letters, digits, '-', '_' and '.'",
                origin.Name, type.FullName, name);
            return null;
        }

        return new CommandDescriptor(name, description, origin, command.ExecuteAsync) { Access = CommandAccess.Of(type) };
    }
}
