using Serilog;
using WsGateway.Commands;
using WsGateway.Options;
using WsGateway.Scripts;

namespace WsGateway.Tests.Scripts;

/// <summary>A real catalog on a real temporary directory, with a real registry and a log that tests can read.</summary>
internal sealed class ScriptCatalogHarness : IAsyncDisposable
{
    private readonly ILogger _log;

    private ScriptCatalogHarness(string directory, ScriptOptions options)
    {
        Directory = directory;
        _log = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(Sink).CreateLogger();
        Registry = new CommandRegistry(_log);
        Catalog = new ScriptCatalog(directory, options, Registry, _log);
    }

    public string Directory { get; }
    public CollectingSink Sink { get; } = new();
    public CommandRegistry Registry { get; }
    public ScriptCatalog Catalog { get; }

    /// <param name="files">Scripts on disk before the catalog starts: file name, then text.</param>
    /// <param name="configure">Changes to the default options.</param>
    /// <param name="arrange">Anything else to put in the directory before the catalog starts.</param>
    public static async Task<ScriptCatalogHarness> StartAsync(
        IEnumerable<(string Name, string Source)>? files = null,
        Action<ScriptOptions>? configure = null,
        Action<string>? arrange = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "wsgateway-scripts-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        arrange?.Invoke(directory);
        foreach (var (name, source) in files ?? [])
        {
            await File.WriteAllTextAsync(Path.Combine(directory, name), source);
        }

        var options = new ScriptOptions { Directory = directory };
        configure?.Invoke(options);
        var harness = new ScriptCatalogHarness(directory, options);
        await harness.Catalog.StartAsync(CancellationToken.None);
        return harness;
    }

    public string PathOf(string fileName) => Path.Combine(Directory, fileName);

    public Task WriteAsync(string fileName, string source) => File.WriteAllTextAsync(PathOf(fileName), source);

    public CommandDescriptor? Find(string command) => Registry.Current.TryGet(command, out var d) ? d : null;

    public async Task<FakeCommandContext> RunAsync(string command, string arguments = "")
    {
        var descriptor = Find(command) ?? throw new InvalidOperationException($"No command {command}");
        var context = new FakeCommandContext(command, arguments);
        await descriptor.ExecuteAsync(context);
        return context;
    }

    /// <summary>Waits until running <paramref name="command"/> replies exactly <paramref name="expected"/>.</summary>
    public async Task RepliesAsync(string command, string expected, string arguments = "") =>
        Assert.True(
            await Eventually.TrueAsync(
                async () => Find(command) is not null && (await RunAsync(command, arguments)).Replies.SequenceEqual([expected]),
                Eventually.Patience),
            $"'{command} {arguments}' never replied '{expected}'");

    public async ValueTask DisposeAsync()
    {
        await Catalog.DisposeAsync();
        (_log as IDisposable)?.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
