using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>Keeps every log event of a test gateway so tests can assert on what an operator would read.</summary>
public sealed class LogCollector : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyList<LogEvent> Events => [.. _events];

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);

    public IEnumerable<string> Messages(LogEventLevel minimum = LogEventLevel.Verbose) =>
        Events.Where(e => e.Level >= minimum).Select(e => e.RenderMessage() + (e.Exception is null ? "" : " " + e.Exception.Message));

    /// <summary>Each event's message, every property and the exception, for checking that a secret appears nowhere.</summary>
    public IEnumerable<string> Everything() =>
        Events.Select(e => string.Join(" ", [e.RenderMessage(), .. e.Properties.Select(p => $"{p.Key}={p.Value}"), e.Exception?.ToString() ?? ""]));
}
