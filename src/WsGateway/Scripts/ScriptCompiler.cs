using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using Microsoft.CodeAnalysis.Text;
using WsGateway.Contracts;
using RoslynScriptOptions = Microsoft.CodeAnalysis.Scripting.ScriptOptions;

namespace WsGateway.Scripts;

/// <summary>
/// Turns the text of one <c>*.csx</c> file into a <see cref="CompiledScript"/> in its own collectible context.
/// Called once per change of a file, never per message.
/// </summary>
/// <remarks>
/// Roslyn's own <c>Script.CreateDelegate</c> loads into a context that never unloads, so every edit would leak an
/// assembly. Instead the compiler takes Roslyn's script compilation, emits it itself and loads it into a
/// <see cref="ScriptLoadContext"/>, then binds the submission's factory method once.
/// </remarks>
internal sealed class ScriptCompiler
{
    /// <summary>Namespaces every script imports without a using directive.</summary>
    public static readonly ImmutableArray<string> DefaultImports =
    [
        "System",
        "System.Collections.Generic",
        "System.Linq",
        "System.Text",
        "System.Threading.Tasks",
        "WsGateway.Contracts",
    ];

    /// <summary>Runtime assemblies every script references, besides the contracts and Serilog.</summary>
    private static readonly string[] RuntimeBasics =
    [
        "System.Runtime",
        "netstandard",
        "System.Collections",
        "System.Collections.Concurrent",
        "System.Console",
        "System.Linq",
        "System.Memory",
        "System.Net.Http",
        "System.Net.Primitives",
        "System.Text.Json",
        "System.Text.RegularExpressions",
        "System.Threading",
    ];

    private static readonly EmitOptions PortablePdb = new(debugInformationFormat: DebugInformationFormat.PortablePdb);

    private readonly CSharpCompilation _template;
    private readonly CSharpParseOptions _parseOptions;
    private readonly FrozenDictionary<string, Assembly> _shared;
    private readonly FrozenSet<string> _platformNames;

    // CSharpScript.Create wants a loader even though the scripts never load through it, and each loader creates a
    // load context that never unloads: one for the whole process, instead of one per catalog.
    private static readonly InteractiveAssemblyLoader UnusedLoader = new();
    private int _versions;

    /// <param name="options">The <c>Scripts</c> configuration section.</param>
    /// <param name="scriptsDirectory">The resolved scripts directory; relative reference paths start here.</param>
    /// <exception cref="ArgumentException">A configured reference is neither a file nor a runtime assembly.</exception>
    public ScriptCompiler(Options.ScriptOptions options, string scriptsDirectory)
    {
        var platform = PlatformAssemblies();
        _platformNames = platform.Keys.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

        // The globals live in the contract assembly: scripts see the contract and Serilog, never the gateway's own types.
        Assembly[] shared = [typeof(ScriptGlobals).Assembly, typeof(Serilog.ILogger).Assembly];
        _shared = shared.ToFrozenDictionary(a => a.GetName().Name!, StringComparer.OrdinalIgnoreCase);

        // References are created once and reused: Roslyn caches the symbols it reads from a reference on that
        // reference, so the second compile of anything is several times faster than the first.
        var references = new List<MetadataReference>
        {
            MetadataReference.CreateFromFile(FileOf(typeof(object).Assembly)),
            MetadataReference.CreateFromFile(FileOf(typeof(ICommandContext).Assembly)),
            MetadataReference.CreateFromFile(FileOf(typeof(Serilog.ILogger).Assembly)),
        };
        references.AddRange(RuntimeBasics
            .Where(platform.ContainsKey)
            .Select(name => MetadataReference.CreateFromFile(platform[name])));
        for (var i = 0; i < options.References.Length; i++)
        {
            references.Add(ResolveConfiguredReference(options.References[i], i, scriptsDirectory, platform));
        }

        // A #load of the scripts' .editor/ folder (what editors read instead of the gateway) loads nothing here.
        var scriptOptions = RoslynScriptOptions.Default
            .WithSourceResolver(new EditorFilesResolver(RoslynScriptOptions.Default.SourceResolver, scriptsDirectory))
            .WithReferences(references)
            .WithImports(DefaultImports.Concat(options.Imports))
            .WithOptimizationLevel(OptimizationLevel.Release);

        // Every script is compiled as this empty script with its syntax tree replaced. CSharpScript.Create adds fresh
        // references to System.Private.CoreLib and to the globals' assembly to each compilation it builds; compiling
        // that way, the process grew by about 25 MB of native memory per edit (1.5 GB after 60 edits) and every
        // compile re-read CoreLib. Replacing only the tree shares the references and the symbols read from them.
        _template = (CSharpCompilation)CSharpScript
            .Create<object>(string.Empty, scriptOptions, typeof(ScriptGlobals), UnusedLoader)
            .GetCompilation();
        _parseOptions = (CSharpParseOptions)_template.SyntaxTrees.Single().Options;
    }

    /// <param name="fileName">Relative to the scripts directory; names the diagnostics and the load context.</param>
    /// <param name="fullPath">Lets <c>#load</c> and <c>#r</c> resolve relative paths, and stack traces show the file.</param>
    /// <param name="source">The file's text.</param>
    public ScriptCompileResult Compile(string fileName, string fullPath, string source, CancellationToken cancellationToken)
    {
        // An encoding is what lets Roslyn write a PDB, and the PDB gives script exceptions file and line numbers.
        var text = SourceText.From(source, Encoding.UTF8);
        var tree = CSharpSyntaxTree.ParseText(text, _parseOptions, fullPath, cancellationToken);
        var compilation = _template.ReplaceSyntaxTree(_template.SyntaxTrees.Single(), tree);

        using var pe = new MemoryStream();
        using var pdb = new MemoryStream();
        var emitted = compilation.Emit(pe, pdb, options: PortablePdb, cancellationToken: cancellationToken);
        var diagnostics = emitted.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Error or DiagnosticSeverity.Warning)
            .Select(d => Detach(fileName, d))
            .ToImmutableArray();
        if (!emitted.Success)
        {
            return new ScriptCompileResult(null, diagnostics);
        }

        var version = Interlocked.Increment(ref _versions);
        var loadContext = new ScriptLoadContext($"script:{fileName}#{version}", _shared, PrivateReferences(compilation));
        pe.Position = 0;
        pdb.Position = 0;
        var assembly = loadContext.LoadFromStream(pe, pdb);
        return new ScriptCompileResult(new CompiledScript(loadContext, BindFactory(compilation, assembly, cancellationToken)), diagnostics);
    }

    private static Func<object?[], Task<object?>> BindFactory(Compilation compilation, Assembly assembly, CancellationToken cancellationToken)
    {
        // The entry point of a script compilation is the static <Factory> of the Submission#N class: it creates
        // the submission, runs its top-level code and returns the value of the last expression.
        var entryPoint = compilation.GetEntryPoint(cancellationToken)
            ?? throw new InvalidOperationException("A script compilation has no submission factory.");
        var typeName = entryPoint.ContainingNamespace.IsGlobalNamespace
            ? entryPoint.ContainingType.MetadataName
            : $"{entryPoint.ContainingNamespace.ToDisplayString()}.{entryPoint.ContainingType.MetadataName}";
        var factory = assembly.GetType(typeName, throwOnError: true)!
            .GetMethod(entryPoint.MetadataName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"The submission type {typeName} has no {entryPoint.MetadataName} method.");
        return factory.CreateDelegate<Func<object?[], Task<object?>>>();
    }

    /// <summary>
    /// The compilation's references that the default context cannot provide (configured files, <c>#r</c>): the
    /// load context loads these itself, so they unload with the script.
    /// </summary>
    private FrozenDictionary<string, string> PrivateReferences(Compilation compilation)
    {
        var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var reference in compilation.References.OfType<PortableExecutableReference>())
        {
            if (reference.FilePath is not { } path
                || compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol symbol)
            {
                continue;
            }

            var name = symbol.Identity.Name;
            if (!_platformNames.Contains(name) && !_shared.ContainsKey(name))
            {
                paths.TryAdd(name, path);
            }
        }

        return paths.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
    }

    private static ScriptDiagnostic Detach(string fileName, Diagnostic diagnostic)
    {
        var (line, column) = (0, 0);
        if (diagnostic.Location.IsInSource)
        {
            var start = diagnostic.Location.GetLineSpan().StartLinePosition;
            (line, column) = (start.Line + 1, start.Character + 1);
        }

        return new ScriptDiagnostic(
            fileName,
            line,
            column,
            diagnostic.Id,
            diagnostic.Severity == DiagnosticSeverity.Error,
            diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    private static MetadataReference ResolveConfiguredReference(
        string reference, int index, string scriptsDirectory, Dictionary<string, string> platform)
    {
        var looksLikePath = reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            || reference.Contains(Path.DirectorySeparatorChar)
            || reference.Contains(Path.AltDirectorySeparatorChar);
        if (looksLikePath)
        {
            var path = Path.GetFullPath(reference, scriptsDirectory);
            return File.Exists(path)
                ? MetadataReference.CreateFromFile(path)
                : throw new ArgumentException($"Scripts:References:{index}: the file '{path}' does not exist.", nameof(reference));
        }

        if (platform.TryGetValue(reference, out var platformPath))
        {
            return MetadataReference.CreateFromFile(platformPath);
        }

        var loaded = AppDomain.CurrentDomain.GetAssemblies()
            .FirstOrDefault(a => !a.IsDynamic && FileOrNull(a) is not null
                && string.Equals(a.GetName().Name, reference, StringComparison.OrdinalIgnoreCase));
        return loaded is not null
            ? MetadataReference.CreateFromFile(FileOf(loaded))
            : throw new ArgumentException(
                $"Scripts:References:{index}: '{reference}' is neither a file nor an assembly the runtime knows.", nameof(reference));
    }

    /// <summary>The file an assembly was loaded from: Roslyn reads the metadata of every reference from disk.</summary>
    /// <remarks>
    /// A single-file gateway has its assemblies on disk only because the host's publish sets
    /// <c>IncludeAllContentForSelfExtract</c> (see WsGateway.Host.csproj): Roslyn's scripting API itself references
    /// CoreLib and the globals' assembly by <see cref="Assembly.Location"/>, which is empty for an assembly bundled
    /// in memory.
    /// </remarks>
    private static string FileOf(Assembly assembly) =>
        FileOrNull(assembly) ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name} has no file: scripts need the runtime's assemblies on disk " +
                "(publish a single-file gateway with IncludeAllContentForSelfExtract=true)");

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Single-file builds extract every assembly to disk; FileOf reports one that is not.")]
    private static string? FileOrNull(Assembly assembly) => assembly.Location is { Length: > 0 } location ? location : null;

    /// <summary>The assemblies the host resolves by itself (the runtime and the app's own), by simple name.</summary>
    private static Dictionary<string, string> PlatformAssemblies()
    {
        var list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            byName.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        }

        return byName;
    }
}
