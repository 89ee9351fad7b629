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
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(ICommand).Assembly.Location)
            .Append(typeof(Serilog.ILogger).Assembly.Location)
            .DistinctBy(Path.GetFileName)
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create(
            SoakGateway.ProbeName,
            [CSharpSyntaxTree.ParseText(source)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var assembly = new MemoryStream();
        var emitted = compilation.Emit(assembly);
        return emitted.Success
            ? assembly.ToArray()
            : throw new BenchmarkException("the probe plugin did not compile: " + string.Join("; ", emitted.Diagnostics));
    }
}
