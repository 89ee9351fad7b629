using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Scripting;
using Microsoft.CodeAnalysis.Scripting.Hosting;
using Microsoft.CodeAnalysis.Text;

namespace WsGateway.IntegrationTests.Scripts;

/// <summary>
/// Compiles a script as an editor's C# service sees it, without the gateway: a loose <c>.csx</c> file whose
/// <c>#r</c> and <c>#load</c> resolve beside it, against the runtime's own assemblies and nothing of the gateway.
/// </summary>
public static class EditorCompilation
{
    /// <summary>The two C# services of VS Code's C# extension, as each sets up a loose script.</summary>
    public enum Editor
    {
        /// <summary>
        /// The Roslyn language server (the extension's default): a miscellaneous file of script kind, with no host
        /// object and no default imports; <c>#r</c> and <c>#load</c> resolve from the file's folder.
        /// </summary>
        RoslynLanguageServer,

        /// <summary>
        /// OmniSharp (<c>dotnet.server.useOmnisharp</c>): the host object <see cref="CommandLineScriptGlobals"/> (whose
        /// <c>Args</c> is a list), and the imports and references of the response file named by the workspace's
        /// omnisharp.json (<c>script.rspFilePath</c>), read with the command-line parser OmniSharp uses.
        /// </summary>
        OmniSharp,
    }

    /// <summary>The runtime's assemblies, what an editor compiles a loose script against before any <c>#r</c>.</summary>
    private static readonly ImmutableArray<MetadataReference> Runtime =
    [
        .. Directory.EnumerateFiles(RuntimeEnvironment.GetRuntimeDirectory(), "*.dll")
            .Where(path => Path.GetFileName(path) is var name
                && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(path => MetadataReference.CreateFromFile(path)),
    ];

    /// <param name="path">Where the script is (or would be) saved: its folder is where its directives resolve.</param>
    /// <param name="text">The script.</param>
    /// <param name="editor">Which service's setup.</param>
    /// <param name="workspace">The folder opened in the editor (OmniSharp reads omnisharp.json there).</param>
    public static CSharpCompilation Compile(string path, string text, Editor editor, string workspace)
    {
        var directory = Path.GetDirectoryName(path)!;
        var tree = CSharpSyntaxTree.ParseText(
            SourceText.From(text, Encoding.UTF8),
            new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.Parse, SourceCodeKind.Script),
            path);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary)
            .WithMetadataReferenceResolver(ScriptMetadataResolver.Default.WithBaseDirectory(directory))
            .WithSourceReferenceResolver(ScriptSourceResolver.Default.WithBaseDirectory(directory));
        var references = Runtime;
        Type? host = null;
        if (editor == Editor.OmniSharp)
        {
            using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(workspace, "omnisharp.json")));
            var responseFile = Path.Combine(workspace, settings.RootElement.GetProperty("script").GetProperty("rspFilePath").GetString()!);
            var arguments = CSharpCommandLineParser.Script.Parse(["@" + responseFile], workspace, sdkDirectory: null);
            Assert.Empty(arguments.Errors);
            Assert.Empty(arguments.MetadataReferences);
            options = options.WithUsings(arguments.CompilationOptions.Usings);
            host = typeof(CommandLineScriptGlobals);
            references = references.Add(MetadataReference.CreateFromFile(host.Assembly.Location));
        }

        return CSharpCompilation.CreateScriptCompilation(
            Path.GetFileNameWithoutExtension(path), tree, references, options, returnType: typeof(object), globalsType: host);
    }

    /// <summary>Errors and warnings, one per line, for an assertion message.</summary>
    public static string Problems(this Compilation compilation) =>
        string.Join('\n', compilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
}
