using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using WsGateway.Contracts;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// A real plugin assembly, compiled here (for the soak and for tests/WsGateway.IntegrationTests' ReloadUnderLoadTests):
/// one command, <c>probe</c>, that answers <c>probe vN</c>. Each version is a different file, so each swap is a reload.
/// </summary>
internal static class ProbePlugin
{
    public static byte[] Compile(int version)
    {
        var source = $$"""
            using System.Threading.Tasks;
            using WsGateway.Contracts;

            [assembly: System.Reflection.AssemblyInformationalVersion("{{version}}.0.0")]

            public sealed class ProbeCommand : ICommand
            {
                public string Name => "probe";
                public string Description => "answers with its version";
                public ValueTask ExecuteAsync(ICommandContext context) => context.ReplyAsync("probe v{{version}}");
            }
            """;
        return CompileAssembly(SoakGateway.ProbeName, source);
    }

    /// <summary>
    /// Compiles <paramref name="source"/> into a plugin DLL named <paramref name="name"/>, against the runtime, the
    /// contracts and Serilog, as a plugin project would build.
    /// </summary>
    /// <exception cref="BenchmarkException">It does not compile; the message lists the diagnostics.</exception>
    public static byte[] CompileAssembly(string name, string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(ICommand).Assembly.Location)
            .Append(typeof(Serilog.ILogger).Assembly.Location)
            .DistinctBy(Path.GetFileName)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            name,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        return emitted.Success
            ? assembly.ToArray()
            : throw new BenchmarkException($"the plugin {name} did not compile: " + string.Join("; ", emitted.Diagnostics));
    }
}
