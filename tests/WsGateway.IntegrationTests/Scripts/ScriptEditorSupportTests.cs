using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using WsGateway.Client;
using WsGateway.Contracts;
using WsGateway.Scripts;
using static WsGateway.IntegrationTests.Scripts.EditorCompilation;

namespace WsGateway.IntegrationTests.Scripts;

/// <summary>
/// Editor support for scripts (scripts/README.md, "In an editor"): the files an editor relies on are in scripts/, they
/// declare the gateway's globals and imports exactly, and a script using every global compiles as an editor sees it
/// (no gateway) and answers in a real gateway.
/// </summary>
public sealed class ScriptEditorSupportTests : IAsyncLifetime
{
    /// <summary>A script that uses every global; <c>close</c> as its arguments closes the connection.</summary>
    private const string EveryGlobal = """
        // description: Uses every global a script has
        #load ".editor/globals.csx"
        using System.Text.Json;

        Logger.Information("every global for {Caller}", Session.Id);
        CancellationToken.ThrowIfCancellationRequested();
        await JoinGroupAsync("every-global");
        await SendToGroupAsync("every-global", "to the group");
        await LeaveGroupAsync("every-global");
        await SendToUserAsync("nobody", "to a user nobody is");
        await SendToSessionAsync(Session.Id, "to my session");
        await BroadcastAsync("to everyone");
        await Reply("reply");
        await ReplyAsync("reply async");
        await Reply(new { n = 1 });
        await ReplyAsync(new { n = 2 });
        await SendEventAsync("every-global", new { n = 3 });
        if (Args == "close")
        {
            await CloseAsync(CloseCodes.NormalClosure, "closed by every-global");
        }

        $"args={Args} data={(Data is JsonElement data ? data.GetRawText() : "none")} same={Context.Session.Id == Session.Id}"
        """;

    private static readonly string Samples = BuildPaths.SampleScripts;
    private static readonly string GlobalsFile = Path.Combine(Samples, EditorFilesResolver.FolderName, "globals.csx");

    private TestGateway _gateway = null!;

    // A script's first call loads and JITs its assembly, which can take seconds on a busy machine.
    public async Task InitializeAsync() => _gateway = await TestGateway.StartAsync(o => o.Commands.TimeoutSeconds = Eventually.Patience.TotalSeconds);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    public static TheoryData<Editor> Editors => [Editor.RoslynLanguageServer, Editor.OmniSharp];

    [Fact]
    public void The_editor_files_are_in_scripts_and_name_the_gateways_framework_and_its_own_assemblies()
    {
        Assert.True(File.Exists(GlobalsFile), $"{GlobalsFile} is missing");
        using var settings = JsonDocument.Parse(File.ReadAllText(Path.Combine(Samples, "omnisharp.json")));
        var script = settings.RootElement.GetProperty("script");
        Assert.True(script.GetProperty("enabled").GetBoolean());
        var framework = new FrameworkName(typeof(Gateway).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()!.FrameworkName);
        Assert.Equal($"net{framework.Version.Major}.{framework.Version.Minor}", script.GetProperty("defaultTargetFramework").GetString());
        Assert.True(File.Exists(Path.Combine(Samples, script.GetProperty("rspFilePath").GetString()!)), "omnisharp.json names a response file that is not there");

        // The #r lines point at the gateway's own copies, where a build of this clone puts them.
        var references = CSharpSyntaxTree.ParseText(File.ReadAllText(GlobalsFile), new CSharpParseOptions(kind: SourceCodeKind.Script))
            .GetCompilationUnitRoot().GetReferenceDirectives()
            .Select(r => Path.GetFullPath(r.File.ValueText, Path.GetDirectoryName(GlobalsFile)!))
            .ToList();
        Assert.Equal(
            [typeof(ScriptGlobals).Assembly.GetName().Name + ".dll", typeof(Serilog.ILogger).Assembly.GetName().Name + ".dll"],
            references.Select(Path.GetFileName));
        Assert.All(references, path => Assert.True(File.Exists(path), $"{path} is not there: build the gateway (dotnet build)"));
        Assert.All(references, path => Assert.Equal(Path.Combine(BuildPaths.RepoRoot, "src", "WsGateway.Host", "bin"), path[..path.IndexOf("/Debug/", StringComparison.Ordinal)]));
    }

    [Fact]
    public void The_globals_file_declares_each_script_global_as_the_gateway_has_it_and_imports_what_the_gateway_imports()
    {
        var compilation = Compile(GlobalsFile, File.ReadAllText(GlobalsFile), Editor.RoslynLanguageServer, Samples);
        Assert.True(!compilation.GetDiagnostics().Any(d => d.Severity >= DiagnosticSeverity.Warning), compilation.Problems());

        var gateway = compilation.GetTypeByMetadataName(typeof(ScriptGlobals).FullName!)!;
        Assert.Equal(Globals(gateway, m => m.DeclaredAccessibility == Accessibility.Public && !m.IsStatic), Globals(compilation.ScriptClass!, m => !m.IsImplicitlyDeclared));

        var imports = compilation.SyntaxTrees.Single().GetCompilationUnitRoot().Usings
            .Where(u => u.GlobalKeyword.IsKind(SyntaxKind.GlobalKeyword))
            .Select(u => u.Name!.ToString());
        Assert.Equal(ScriptCompiler.DefaultImports, imports);
    }

    [Theory]
    [MemberData(nameof(Editors))]
    public void Every_sample_script_and_one_using_every_global_compile_in_the_editor_without_the_gateway(Editor editor)
    {
        var scripts = Directory.EnumerateFiles(Samples, "*.csx").Select(path => (path, File.ReadAllText(path))).ToList();
        Assert.True(scripts.Count >= 4, "scripts/ has no samples");
        scripts.Add((Path.Combine(Samples, "every-global.csx"), EveryGlobal));

        foreach (var (path, text) in scripts)
        {
            Assert.Contains("#load \".editor/globals.csx\"", text, StringComparison.Ordinal);
            var compilation = Compile(path, text, editor, Samples);
            Assert.True(!compilation.GetDiagnostics().Any(d => d.Severity >= DiagnosticSeverity.Warning), $"{editor}, {Path.GetFileName(path)}:\n{compilation.Problems()}");
        }
    }

    [Fact]
    public void The_script_using_every_global_uses_every_declaration_of_the_globals_file()
    {
        var path = Path.Combine(Samples, "every-global.csx");
        var compilation = Compile(path, EveryGlobal, Editor.RoslynLanguageServer, Samples);
        var script = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var model = compilation.GetSemanticModel(script);
        var used = script.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>()
            .Select(name => model.GetSymbolInfo(name).Symbol?.OriginalDefinition)
            .Where(symbol => symbol?.Locations.FirstOrDefault()?.SourceTree?.FilePath == GlobalsFile)
            .Select(symbol => symbol!.ToDisplayString(SignatureFormat))
            .ToHashSet();

        Assert.Equal(Globals(compilation.ScriptClass!, m => !m.IsImplicitlyDeclared), used.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_script_using_every_global_answers_in_a_real_gateway_whose_scripts_folder_has_no_editor_files()
    {
        await File.WriteAllTextAsync(Path.Combine(_gateway.Root, "scripts", "every-global.csx"), EveryGlobal);
        await using var client = await GatewayClient.ConnectAsync(_gateway.WebSocketUri(), new GatewayClientOptions { Reconnect = false });
        var events = new ConcurrentQueue<GatewayEvent>();
        using var subscription = client.On("*", events.Enqueue);

        var replies = await Eventually.ValueAsync(
            async () => await CallOrNullAsync(client, "every-global", "hello", new { city = "Oslo" }), r => r is not null, Eventually.Patience);

        Assert.Equal(
            ["reply", "reply async", """{"n":1}""", """{"n":2}""", """args=hello data={"city":"Oslo"} same=True"""],
            replies!.Select(r => r.ToString()));
        Assert.True(await Eventually.TrueAsync(() => events.Count >= 4, Eventually.Patience), string.Join('\n', events));
        Assert.Equal(
            ["broadcast: to everyone", "direct: to my session", "every-global: {\"n\":3}", "group: to the group"],
            events.Select(e => $"{e.Event}: {e.Text ?? e.Data?.GetRawText()}").Order(StringComparer.Ordinal));
        Assert.Contains(_gateway.Logs.Messages(), m => m.StartsWith("every global for", StringComparison.Ordinal));

        using var plain = await _gateway.ConnectAsync();
        await plain.SendTextAsync("every-global close");
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "closed by every-global"), await plain.ReceiveCloseAsync());
    }

    /// <summary>The call's replies, or null while the script is not compiled yet (an unknown command).</summary>
    private static async Task<IReadOnlyList<Reply>?> CallOrNullAsync(GatewayClient client, string command, string args, object data)
    {
        try
        {
            return await client.CallAsync(command, args, data);
        }
        catch (CallException ex) when (ex.Code == "unknown_command")
        {
            return null;
        }
    }

    private static readonly SymbolDisplayFormat SignatureFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
        memberOptions: SymbolDisplayMemberOptions.IncludeParameters | SymbolDisplayMemberOptions.IncludeType | SymbolDisplayMemberOptions.IncludeRef,
        parameterOptions: SymbolDisplayParameterOptions.IncludeType | SymbolDisplayParameterOptions.IncludeName
            | SymbolDisplayParameterOptions.IncludeDefaultValue | SymbolDisplayParameterOptions.IncludeParamsRefOut,
        miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    /// <summary>The properties and methods of <paramref name="type"/> that pass <paramref name="filter"/>, as signatures.</summary>
    private static IEnumerable<string> Globals(INamedTypeSymbol type, Func<ISymbol, bool> filter) =>
        type.GetMembers()
            .Where(m => m is IPropertySymbol or IMethodSymbol { MethodKind: MethodKind.Ordinary } && filter(m))
            .Select(m => m.ToDisplayString(SignatureFormat))
            .Order(StringComparer.Ordinal);
}
