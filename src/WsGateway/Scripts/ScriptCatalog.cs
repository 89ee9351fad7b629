using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using Serilog;
using WsGateway.Commands;
using WsGateway.Contracts;
using WsGateway.Diagnostics;
using WsGateway.Options;

using WsGateway.Watching;

namespace WsGateway.Scripts;

/// <summary>
/// Publishes every <c>*.csx</c> file of the scripts directory as a command named after the file, and keeps the
/// commands in step with the files: a save is live within a second, a new file becomes a command, a deleted file's
/// command disappears. A script whose latest edit does not compile keeps its previous version answering, with the
/// first error shown by <c>help</c>; the gateway never goes down because of a script.
/// </summary>
/// <remarks>
/// All compiling happens on one background loop, one file at a time: a Roslyn compile is CPU-bound, and on a small
/// machine two at once would take the cores the connections need. Each compiled version lives in its own
/// collectible load context, unloaded when the next version replaces it.
/// </remarks>
internal sealed class ScriptCatalog : IDisposable, IAsyncDisposable
{
    private const string SourceKeyPrefix = "script:";

    /// <summary>Failed reads in a row after which a file is left alone until its next change.</summary>
    private const int MaxReadRetries = 20;

    private const string WarmUpSource = "Args.Length";

    private readonly string _directory;
    private readonly CommandRegistry _registry;
    private readonly ILogger _log;
    private readonly ScriptCompiler _compiler;
    private readonly TimeSpan _quietPeriod;
    private readonly ConcurrentDictionary<string, ScriptEntry> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private DirectoryWatcher? _watcher;
    private Task? _loop;
    private int _stopped;
    private int _cleanedUp;

    /// <param name="scriptsDirectory">The resolved scripts directory; created when missing.</param>
    /// <param name="options">The <c>Scripts</c> configuration section (references, imports, debounce).</param>
    /// <param name="registry">Where the script commands are published, one source per file (<c>script:date.csx</c>).</param>
    /// <param name="log">The gateway's logger.</param>
    /// <exception cref="ArgumentException">A configured reference cannot be found.</exception>
    public ScriptCatalog(string scriptsDirectory, ScriptOptions options, CommandRegistry registry, ILogger log)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.DebounceMilliseconds, "Scripts:DebounceMilliseconds");
        _directory = Path.GetFullPath(scriptsDirectory);
        _registry = registry;
        _log = log.ForContext<ScriptCatalog>();
        _compiler = new ScriptCompiler(options, _directory);
        _quietPeriod = TimeSpan.FromMilliseconds(options.DebounceMilliseconds);
    }

    /// <summary>Where each compile, failed compile and removal is recorded for the admin API; none are without it.</summary>
    internal ReloadHistory? Reloads { get; init; }

    /// <summary>Raised after each compile result is published: the file and whether it compiled.</summary>
    public event Action<string, bool>? Published;

    /// <summary>Where <c>on-open.csx</c> and <c>on-close.csx</c> go: they are session hooks (<see cref="ScriptHook"/>), not commands.</summary>
    internal SessionHookRegistry? Hooks { get; init; }

    /// <summary>
    /// Compiles and publishes every script in the directory, then watches it. Completes when the initial scripts
    /// are published (a broken one included, as broken); later changes are picked up in the background.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _stopped) != 0, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The script catalog is already started.");
        }

        Directory.CreateDirectory(_directory);

        // Watch before the first scan, so that a save during the scan is not lost (at worst it is compiled twice).
        _watcher = new DirectoryWatcher(_directory, includeSubdirectories: false, _quietPeriod, ScriptFiles.KeyOf, _log);
        var initialScan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = RunAsync(_watcher, initialScan, _stopping.Token);
        await initialScan.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Compiles and discards a trivial script, so that the first real compile does not pay Roslyn's start-up
    /// (loading and JIT-compiling the compiler, reading the references: seconds on a small machine).
    /// The catalog does this by itself after start when the directory has no scripts.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _cleanedUp) != 0, this);

        // Leaves the caller's thread: what follows is a CPU-bound compile, not a wait.
        await Task.Yield();
        var started = Stopwatch.GetTimestamp();
        var result = _compiler.Compile("warm-up.csx", Path.Combine(_directory, "warm-up.csx"), WarmUpSource, cancellationToken);
        result.Script?.Unload();
        _log.Debug("Script compiler warmed up in {ElapsedMs} ms", (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Stops watching and compiling without waiting; <see cref="DisposeAsync"/> also waits for the loop to end.</summary>
    public void Dispose()
    {
        BeginStop();
        if (_loop is null || _loop.IsCompleted)
        {
            CleanUp();
        }
    }

    /// <summary>Stops watching, waits for a compile in progress, and withdraws the script commands.</summary>
    public async ValueTask DisposeAsync()
    {
        BeginStop();
        if (_loop is null)
        {
            CleanUp();
            return;
        }

        await _loop.ConfigureAwait(false);
        CleanUp();
    }

    /// <summary>The load context of the version of <paramref name="fileName"/> that answers now (for tests).</summary>
    internal AssemblyLoadContext? LoadContextOf(string fileName) =>
        _entries.TryGetValue(fileName, out var entry) ? entry.Good?.LoadContext : null;

    private async Task RunAsync(DirectoryWatcher watcher, TaskCompletionSource initialScan, CancellationToken stopping)
    {
        // Leaves the caller's thread: the scan compiles, and compiling is CPU-bound work for the thread pool.
        await Task.Yield();
        try
        {
            foreach (var fileName in ScriptFiles.OnDisk(_directory))
            {
                await ReloadAsync(fileName, stopping).ConfigureAwait(false);
            }

            _log.Information(
                "Script catalog watching {Directory} with {Count} scripts", _directory, _entries.Count);
            initialScan.TrySetResult();

            if (_entries.IsEmpty)
            {
                await WarmUpAsync(stopping).ConfigureAwait(false);
            }

            await foreach (var fileName in watcher.Changes.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                if (fileName == DirectoryWatcher.Everything)
                {
                    foreach (var known in ScriptFiles.OnDisk(_directory).Union(_entries.Keys).ToList())
                    {
                        await ReloadAsync(known, stopping).ConfigureAwait(false);
                    }
                }
                else
                {
                    await ReloadAsync(fileName, stopping).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            initialScan.TrySetCanceled(stopping);
        }
        catch (Exception ex)
        {
            // A bug in the catalog itself: hot reload stops, the commands published so far keep answering.
            _log.Error(ex, "Script catalog stopped watching {Directory}", _directory);
            initialScan.TrySetException(ex);
        }
        finally
        {
            // After a synchronous Dispose nobody waits for the loop, so the loop cleans up after itself.
            if (stopping.IsCancellationRequested)
            {
                CleanUp();
            }
        }
    }

    private async Task ReloadAsync(string fileName, CancellationToken stopping)
    {
        var path = Path.Combine(_directory, fileName);
        string source;
        try
        {
            source = await File.ReadAllTextAsync(path, stopping).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            Remove(fileName);
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RetryLater(fileName, ex);
            return;
        }

        var entry = _entries.GetOrAdd(fileName, static name => new ScriptEntry(name));
        entry.ReadFailures = 0;
        if (string.Equals(entry.Source, source, StringComparison.Ordinal))
        {
            return;
        }

        entry.Source = source;
        entry.SourceHash = SourceHash(source);
        if (!CommandNames.IsValid(entry.CommandName))
        {
            var problem = $"{fileName}: \"{entry.CommandName}\" is not a command name (letters, digits, -, _ and . only)";
            _log.Error("Script {File} is not published: {Problem}", fileName, problem);
            PublishBroken(entry, ScriptHeader.Read(source).Description ?? "(invalid name)", problem);
            Record(entry, "failed", [problem]);
            return;
        }

        try
        {
            Compile(entry, path, source, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            // Roslyn or the loader failing on odd input must not take the catalog down; treat it as a broken script.
            _log.Error(ex, "Script {File} could not be compiled", fileName);
            Fail(entry, $"{fileName}: {ex.GetType().Name}: {ex.Message}");
            Record(entry, "failed", [$"{ex.GetType().Name}: {ex.Message}"]);
        }
    }

    private void Compile(ScriptEntry entry, string path, string source, CancellationToken stopping)
    {
        // A directive that does not parse must not publish the script: a mistyped "requires:" would open it to everyone.
        var header = ScriptHeader.Read(source, entry.FileName);
        if (header.Problem is { } directive)
        {
            _log.Error("Script {File}({Line},{Column}): {Id}: {Message}", directive.File, directive.Line, directive.Column, directive.Id, directive.Message);
            Fail(entry, directive.ToString());
            Record(entry, "failed", [directive.ToString()]);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var result = _compiler.Compile(entry.FileName, path, source, stopping);
        var elapsedMs = (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        foreach (var diagnostic in result.Diagnostics)
        {
            _log.Write(
                diagnostic.IsError ? Serilog.Events.LogEventLevel.Error : Serilog.Events.LogEventLevel.Warning,
                "Script {File}({Line},{Column}): {Id}: {Message}",
                diagnostic.File, diagnostic.Line, diagnostic.Column, diagnostic.Id, diagnostic.Message);
        }

        if (result.Script is not { } compiled)
        {
            Fail(entry, result.FirstError ?? $"{entry.FileName}: does not compile");
            Record(entry, "failed", result.Diagnostics.Length > 0 ? [.. result.Diagnostics.Select(d => d.ToString())] : [result.FirstError ?? "does not compile"]);
            return;
        }

        var previous = entry.Good;
        entry.Good = compiled;
        entry.GoodHash = entry.SourceHash;
        entry.Description = header.Description ?? "(no description)";
        entry.Access = header.Access;
        Publish(entry, compiled.ExecuteAsync, entry.Description, problem: null);
        previous?.Unload();
        Record(entry, "loaded", [.. result.Diagnostics.Select(d => d.ToString())]);
        _log.Information(
            "Script {File} compiled in {ElapsedMs} ms; {Kind} {Command} is live",
            entry.FileName, elapsedMs, ScriptHook.Stage(entry.CommandName) is null ? "command" : "session hook", entry.CommandName);
    }

    private void Fail(ScriptEntry entry, string problem)
    {
        if (entry.Good is { } good)
        {
            Publish(entry, good.ExecuteAsync, entry.Description ?? "(no description)", problem);
            _log.Warning(
                "Script {File} does not compile; command {Command} keeps its previous version", entry.FileName, entry.CommandName);
        }
        else
        {
            var description = entry.Source is { } source ? ScriptHeader.Read(source).Description : null;
            PublishBroken(entry, description ?? "(does not compile)", problem);
            _log.Warning(
                "Script {File} does not compile; command {Command} answers with the error", entry.FileName, entry.CommandName);
        }
    }

    private void Publish(
        ScriptEntry entry, Func<ICommandContext, ValueTask> execute, string description, string? problem, bool repliesWithProblem = false)
    {
        if (ScriptHook.Stage(entry.CommandName) is { } opening)
        {
            // A hook, not a command: with no version that compiles, there is no hook (the log says why).
            Hooks?.SetSource(SourceKeyPrefix + entry.FileName, repliesWithProblem ? [] : [new ScriptHook(opening, execute)]);
            Published?.Invoke(entry.FileName, problem is null);
            return;
        }

        // The version is the hash of the source that answers: the last good one, or the broken one that only answers its problem.
        var origin = new CommandOrigin(CommandOriginKind.Script, entry.FileName, repliesWithProblem ? entry.SourceHash : entry.GoodHash);
        var descriptor = new CommandDescriptor(entry.CommandName, description, origin, execute, problem)
        {
            RepliesWithProblem = repliesWithProblem,
            // A version that runs keeps the access it was compiled with; one that only answers its problem asks none.
            Access = repliesWithProblem ? CommandAccess.Anyone : entry.Access,
        };
        _registry.SetSource(SourceKeyPrefix + entry.FileName, [descriptor]);
        Published?.Invoke(entry.FileName, problem is null);
    }

    /// <summary>Publishes a command with no working version: it answers every call with <paramref name="problem"/>.</summary>
    private void PublishBroken(ScriptEntry entry, string description, string problem) =>
        Publish(entry, ReplyWithProblem(entry.CommandName, problem), description, problem, repliesWithProblem: true);

    private void Remove(string fileName)
    {
        if (!_entries.TryRemove(fileName, out var entry))
        {
            return;
        }

        _registry.RemoveSource(SourceKeyPrefix + fileName);
        Hooks?.RemoveSource(SourceKeyPrefix + fileName);
        entry.Good?.Unload();
        _log.Information("Script {File} is gone; command {Command} removed", fileName, entry.CommandName);
        Reloads?.Add(new ReloadRecord(DateTimeOffset.UtcNow, "script", fileName, null, entry.GoodHash ?? entry.SourceHash, "removed", []));
    }

    private void RetryLater(string fileName, Exception ex)
    {
        var entry = _entries.GetOrAdd(fileName, static name => new ScriptEntry(name));
        entry.ReadFailures++;
        if (entry.ReadFailures > MaxReadRetries)
        {
            _log.Error(ex, "Script {File} cannot be read; left as it is until its next change", fileName);
            entry.ReadFailures = 0;
            return;
        }

        // Typically an editor still writing the file: try again after the next quiet period.
        _log.Debug("Script {File} cannot be read yet ({Reason}); retrying", fileName, ex.Message);
        _watcher?.Touch(fileName);
    }

    private void Record(ScriptEntry entry, string outcome, IReadOnlyList<string> diagnostics) =>
        Reloads?.Add(new ReloadRecord(DateTimeOffset.UtcNow, "script", entry.FileName, null, entry.SourceHash, outcome, diagnostics));

    /// <summary>The first 12 hex digits of the SHA-256 of the source: tells two versions of a script apart.</summary>
    internal static string SourceHash(string source) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..12];

    private static Func<ICommandContext, ValueTask> ReplyWithProblem(string command, string problem) =>
        context => context.ReplyAsync($"error: script command \"{command}\" is broken: {problem}");

    private void BeginStop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _watcher?.Dispose();
        _stopping.Cancel();
    }

    /// <summary>Withdraws the commands and lets their code unload. Runs once, after the loop has ended.</summary>
    private void CleanUp()
    {
        if (Interlocked.Exchange(ref _cleanedUp, 1) != 0)
        {
            return;
        }

        foreach (var entry in _entries.Values)
        {
            _registry.RemoveSource(SourceKeyPrefix + entry.FileName);
            entry.Good?.Unload();
        }

        _entries.Clear();
        _stopping.Dispose();
    }
}
