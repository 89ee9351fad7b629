using System.Runtime.CompilerServices;
using Serilog.Events;
using WsGateway.Commands;
using WsGateway.Scripts;

namespace WsGateway.Tests.Scripts;

public sealed class ScriptCatalogTests
{
    [Fact]
    public async Task Script_on_disk_at_start_answers_its_command()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("hello.csx", "await Reply(\"hello \" + Args);")]);

        var context = await h.RunAsync("hello", "world");

        Assert.Equal(["hello world"], context.Replies);
        var descriptor = h.Find("hello")!;
        Assert.Null(descriptor.Problem);
        // Its version is the hash of the source that answers.
        Assert.Equal(new CommandOrigin(CommandOriginKind.Script, "hello.csx", ScriptCatalog.SourceHash("await Reply(\"hello \" + Args);")), descriptor.Origin);
    }

    [Fact]
    public async Task Command_name_is_matched_case_insensitively_like_every_command()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("Ping.csx", "\"pong\"")]);

        Assert.Null(h.Find("ping")!.Problem);
        Assert.Equal(["pong"], (await h.RunAsync("PING")).Replies);
    }

    [Fact]
    public async Task Description_comment_on_the_first_line_is_the_help_text()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
        [
            ("described.csx", "// description: Says something useful\n\"ok\""),
            ("plain.csx", "\"ok\""),
        ]);

        Assert.Equal("Says something useful", h.Find("described")!.Description);
        Assert.Equal("(no description)", h.Find("plain")!.Description);
    }

    [Fact]
    public async Task Value_of_the_last_expression_is_sent_as_the_reply()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
        [
            ("answer.csx", "await Reply(\"thinking\");\n40 + 2"),
            ("silent.csx", "await Reply(\"only this\");"),
            ("unawaited.csx", "Reply(\"forgot the await\")"),
        ]);

        Assert.Equal(["thinking", "42"], (await h.RunAsync("answer")).Replies);
        Assert.Equal(["only this"], (await h.RunAsync("silent")).Replies);
        Assert.Equal(["forgot the await"], (await h.RunAsync("unawaited")).Replies);
    }

    [Fact]
    public async Task Globals_give_scripts_the_session_the_context_and_the_other_sends()
    {
        const string source = """
            await BroadcastAsync($"{Session.Id} says {Args}");
            await ReplyAsync(Context.CommandName + " " + CancellationToken.CanBeCanceled);
            Logger.Information("Script ran for {SessionId}", Session.Id);
            await CloseAsync(CloseCodes.NormalClosure, "bye");
            """;
        await using var h = await ScriptCatalogHarness.StartAsync([("all.csx", source)]);

        var context = await h.RunAsync("all", "hi");

        Assert.Equal([$"{context.Session.Id} says hi"], context.Broadcasts);
        Assert.Equal(["all False"], context.Replies);
        Assert.Equal(new CloseRequest(1000, "bye"), context.Closed);
    }

    [Fact]
    public async Task Exception_thrown_by_a_script_reaches_the_caller()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
            [("boom.csx", "throw new InvalidOperationException(\"boom: \" + Args);")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync("boom", "now"));

        Assert.Equal("boom: now", error.Message);
    }

    [Fact]
    public async Task Editing_a_script_changes_its_reply()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("greet.csx", "\"v1\"")]);
        Assert.Equal(["v1"], (await h.RunAsync("greet")).Replies);

        await h.WriteAsync("greet.csx", "\"v2\"");

        await h.RepliesAsync("greet", "v2");
    }

    [Fact]
    public async Task Syntax_error_keeps_the_previous_version_logs_the_place_and_shows_the_problem_until_fixed()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("calc.csx", "// description: Adds\n1 + 1")]);

        await h.WriteAsync("calc.csx", "// description: Adds\nvar x = 1\nx + 1");
        Assert.True(await Eventually.TrueAsync(() => h.Find("calc")?.Problem is not null, Eventually.Patience), "calc never showed a problem");

        var broken = h.Find("calc")!;
        Assert.Equal("calc.csx(2,10): error CS1002: ; expected", broken.Problem);
        Assert.Equal("Adds", broken.Description);
        Assert.Equal(["2"], (await h.RunAsync("calc")).Replies);
        // The previous version still runs: its calls are not broken ones.
        Assert.False(broken.RepliesWithProblem);
        var logged = Assert.Single(h.Sink.Events, e => e.Level == LogEventLevel.Error && e.Properties.ContainsKey("Line"));
        Assert.Equal("\"calc.csx\"", logged.Properties["File"].ToString());
        Assert.Equal("2", logged.Properties["Line"].ToString());
        Assert.Equal("10", logged.Properties["Column"].ToString());
        Assert.Equal("\"CS1002\"", logged.Properties["Id"].ToString());
        Assert.Equal("\"; expected\"", logged.Properties["Message"].ToString());

        await h.WriteAsync("calc.csx", "// description: Adds\nvar x = 1;\nx + 2");

        await h.RepliesAsync("calc", "3");
        Assert.Null(h.Find("calc")!.Problem);
    }

    [Fact]
    public async Task Every_diagnostic_of_a_broken_edit_is_logged()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("two.csx", "\"ok\"")]);

        await h.WriteAsync("two.csx", "int a = \"text\";\nundefinedName");
        Assert.True(await Eventually.TrueAsync(() => h.Find("two")?.Problem is not null, Eventually.Patience), "two never showed a problem");

        var logged = h.Sink.Events
            .Where(e => e.Level == LogEventLevel.Error && e.Properties.ContainsKey("Id"))
            .Select(e => $"{e.Properties["Line"]}:{e.Properties["Column"]} {e.Properties["Id"]}")
            .ToList();
        Assert.Equal(["1:9 \"CS0029\"", "2:1 \"CS0103\""], logged);
    }

    [Fact]
    public async Task Script_that_never_compiled_is_published_as_broken_and_answers_with_the_error()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("bad.csx", "// description: Never worked\nthis is not C#")]);

        var descriptor = h.Find("bad")!;
        Assert.NotNull(descriptor.Problem);
        Assert.StartsWith("bad.csx(2,", descriptor.Problem);
        Assert.True(descriptor.RepliesWithProblem);
        Assert.Equal("Never worked", descriptor.Description);
        var reply = Assert.Single((await h.RunAsync("bad")).Replies);
        Assert.StartsWith("error: script command \"bad\" is broken: bad.csx(2,", reply);

        await h.WriteAsync("bad.csx", "\"works now\"");

        await h.RepliesAsync("bad", "works now");
        Assert.Null(h.Find("bad")!.Problem);
        Assert.False(h.Find("bad")!.RepliesWithProblem);
    }

    [Fact]
    public async Task Deleting_a_script_removes_its_command()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("gone.csx", "\"here\""), ("stays.csx", "\"here\"")]);

        File.Delete(h.PathOf("gone.csx"));

        Assert.True(await Eventually.TrueAsync(() => h.Find("gone") is null, Eventually.Patience), "gone never disappeared");
        Assert.NotNull(h.Find("stays"));
        Assert.DoesNotContain(h.Registry.Current.All, d => d.Origin.Name == "gone.csx");
    }

    [Fact]
    public async Task New_file_becomes_a_command()
    {
        await using var h = await ScriptCatalogHarness.StartAsync();
        Assert.Empty(h.Registry.Current.All);

        await h.WriteAsync("fresh.csx", "// description: Brand new\n\"fresh\"");

        await h.RepliesAsync("fresh", "fresh");
        Assert.Equal("Brand new", h.Find("fresh")!.Description);
        Assert.Contains(h.Sink.Events, e => e.MessageTemplate.Text.StartsWith("Script compiler warmed up", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Editor_style_save_to_a_temporary_file_then_rename_over_is_picked_up()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("saved.csx", "\"before\"")]);

        // What many editors do: write the whole file elsewhere, then rename it over the original.
        var temporary = h.PathOf("saved.csx.tmp~");
        await File.WriteAllTextAsync(temporary, "\"after\"");
        File.Move(temporary, h.PathOf("saved.csx"), overwrite: true);

        await h.RepliesAsync("saved", "after");
        Assert.Null(h.Find("saved.csx"));
    }

    [Fact]
    public async Task Renaming_a_script_renames_its_command()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("old-name.csx", "\"same code\"")]);

        File.Move(h.PathOf("old-name.csx"), h.PathOf("new-name.csx"));

        await h.RepliesAsync("new-name", "same code");
        Assert.True(await Eventually.TrueAsync(() => h.Find("old-name") is null, Eventually.Patience), "old-name never disappeared");
    }

    [Fact]
    public async Task Files_that_are_not_top_level_scripts_are_ignored()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
        [
            ("notes.txt", "\"not a script\""),
            (".hidden.csx", "\"editor lock file\""),
        ]);
        Directory.CreateDirectory(h.PathOf("nested"));
        await File.WriteAllTextAsync(Path.Combine(h.PathOf("nested"), "deep.csx"), "\"nested\"");
        await h.WriteAsync("marker.csx", "\"marker\"");

        // Changes are handled in order, so once the marker answers the others have been seen and ignored.
        await h.RepliesAsync("marker", "marker");
        Assert.Equal(["marker"], h.Registry.Current.All.Select(d => d.Name));
    }

    [Fact]
    public async Task File_name_that_is_not_a_command_name_is_published_as_broken()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("two words.csx", "\"never runs\"")]);

        var descriptor = Assert.Single(h.Registry.Current.All);
        Assert.Equal("two words", descriptor.Name);
        Assert.Contains("not a command name", descriptor.Problem);
        Assert.True(descriptor.RepliesWithProblem);
    }

    [Fact]
    public async Task Configured_imports_and_references_reach_the_scripts()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
            [("matches.csx", "Regex.IsMatch(Args, \"^[0-9]+$\") ? \"digits\" : \"other\"")],
            options =>
            {
                options.Imports = ["System.Text.RegularExpressions"];
                options.References = ["System.Text.RegularExpressions"];
            });

        Assert.Equal(["digits"], (await h.RunAsync("matches", "123")).Replies);
    }

    [Fact]
    public async Task Script_can_load_shared_code_from_a_subfolder()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("shout.csx", "#load \"lib/text.csx\"\nShout(Args)")]);
        Directory.CreateDirectory(h.PathOf("lib"));
        await File.WriteAllTextAsync(Path.Combine(h.PathOf("lib"), "text.csx"), "string Shout(string s) => s.ToUpperInvariant() + \"!\";");

        // The helper did not exist at start; touching the script recompiles it (files in sub-folders are not watched).
        await h.WriteAsync("shout.csx", "#load \"lib/text.csx\"\nShout(Args) ");

        await h.RepliesAsync("shout", "HEY!", "hey");
    }

    [Fact]
    public async Task A_load_of_the_editor_folder_loads_nothing_whether_or_not_the_file_is_there()
    {
        // What an editor sees in .editor/ would hide the real globals, and its #r need not exist where the gateway runs.
        await using var h = await ScriptCatalogHarness.StartAsync(
            [("echo.csx", "#load \".editor/globals.csx\"\nArgs"), ("missing.csx", "#load \".editor/gone.csx\"\n\"fine\"")],
            arrange: directory =>
            {
                Directory.CreateDirectory(Path.Combine(directory, ".editor"));
                File.WriteAllText(Path.Combine(directory, ".editor", "globals.csx"), "#r \"../nowhere/X.dll\"\nstring Args => \"the editor's\";");
            });

        Assert.Equal(["the caller's"], (await h.RunAsync("echo", "the caller's")).Replies);
        Assert.Equal(["fine"], (await h.RunAsync("missing")).Replies);
    }

    [Fact]
    public async Task Exception_stack_trace_names_the_script_file_and_line()
    {
        await using var h = await ScriptCatalogHarness.StartAsync([("trace.csx", "var x = 1;\nthrow new InvalidOperationException(\"line two\");")]);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => h.RunAsync("trace"));

        Assert.Contains("trace.csx:line 2", error.StackTrace);
    }

    [Fact]
    public async Task Configured_path_reference_to_a_library_outside_the_app_is_loaded_with_the_script()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(
            [("greet.csx", "TinyLibrary.Greeter.Hi(Args)")],
            options => options.References = ["lib/TinyLibrary.dll"],
            directory => TinyLibrary.Build(Path.Combine(directory, "lib")));

        Assert.Equal(["hi there"], (await h.RunAsync("greet", "there")).Replies);
        var loaded = h.Catalog.LoadContextOf("greet.csx")!.Assemblies.Select(a => a.GetName().Name);
        Assert.Contains("TinyLibrary", loaded);
    }

    [Fact]
    public async Task Hash_r_directive_references_a_library_outside_the_app()
    {
        await using var h = await ScriptCatalogHarness.StartAsync(arrange: directory => TinyLibrary.Build(Path.Combine(directory, "lib")));

        await h.WriteAsync("greet.csx", "#r \"lib/TinyLibrary.dll\"\nTinyLibrary.Greeter.Hi(Args)");

        await h.RepliesAsync("greet", "hi you", "you");
    }

    [Fact]
    public void Reference_that_cannot_be_found_names_the_configuration_key()
    {
        var options = new WsGateway.Options.ScriptOptions { References = ["System.Runtime", "No.Such.Assembly"] };

        var error = Assert.Throws<ArgumentException>(
            () => new ScriptCatalog(Path.GetTempPath(), options, new CommandRegistry(Serilog.Core.Logger.None), Serilog.Core.Logger.None));

        Assert.Contains("Scripts:References:1", error.Message);
    }

    [Fact]
    public async Task Stopping_the_catalog_withdraws_its_commands_and_unloads_their_code()
    {
        var h = await ScriptCatalogHarness.StartAsync([("temp.csx", "\"x\"")]);
        var loaded = WeakLoadContext(h.Catalog, "temp.csx");

        await h.DisposeAsync();

        Assert.Null(h.Find("temp"));
        Assert.True(
            await Eventually.TrueAsync(
                () =>
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    return !loaded.IsAlive;
                },
                Eventually.Patience),
            "the stopped catalog's load context was never collected");
    }

    // Not inlined, so that no strong reference to the context stays in a local of the test method.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference WeakLoadContext(ScriptCatalog catalog, string fileName) =>
        new(catalog.LoadContextOf(fileName) ?? throw new InvalidOperationException($"{fileName} is not loaded"));
}
