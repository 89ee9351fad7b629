using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace WsGateway.Tests.Scripts;

/// <summary>Builds a one-class library on disk: a DLL that is not part of the app, as an operator's would be.</summary>
internal static class TinyLibrary
{
    private const string Source = """
        namespace TinyLibrary;
        public static class Greeter
        {
            public static string Hi(string name) => "hi " + name;
        }
        """;

    public static void Build(string directory)
    {
        Directory.CreateDirectory(directory);
        var compilation = CSharpCompilation.Create(
            "TinyLibrary",
            [CSharpSyntaxTree.ParseText(Source)],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var result = compilation.Emit(Path.Combine(directory, "TinyLibrary.dll"));
        Assert.True(result.Success, string.Join(Environment.NewLine, result.Diagnostics));
    }
}
