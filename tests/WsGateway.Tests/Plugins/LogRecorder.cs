using System.Collections.Concurrent;
using Serilog;
using Serilog.Core;
using Serilog.Events;

namespace WsGateway.Tests.Plugins;

/// <summary>
/// Keeps rendered log lines, never the events: an event holds its exception, and an exception thrown by plugin
/// code keeps that plugin's load context alive.
/// </summary>
internal sealed class LogRecorder : ILogEventSink
{
    private readonly ConcurrentQueue<RecordedLog> _lines = new();

    public LogRecorder() =>
        Logger = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(this).CreateLogger();

    public ILogger Logger { get; }

    public IReadOnlyList<RecordedLog> Lines => [.. _lines];

    public void Emit(LogEvent logEvent)
    {
        var plugin = logEvent.Properties.TryGetValue("Plugin", out var value) && value is ScalarValue { Value: string name }
            ? name
            : null;
        _lines.Enqueue(new RecordedLog(
            logEvent.Level, plugin, logEvent.RenderMessage(), logEvent.Exception?.GetType().Name, logEvent.Exception?.Message));
    }

    /// <summary>True when a line of <paramref name="level"/> about <paramref name="plugin"/> contains
    /// <paramref name="fragment"/>, ignoring the quotes Serilog puts around string values.</summary>
    public bool Has(LogEventLevel level, string plugin, string fragment) =>
        _lines.Any(l =>
            l.Level == level &&
            l.Plugin == plugin &&
            l.Message.Replace("\"", string.Empty, StringComparison.Ordinal).Contains(fragment, StringComparison.Ordinal));

    public override string ToString() => string.Join(Environment.NewLine, _lines);
}
