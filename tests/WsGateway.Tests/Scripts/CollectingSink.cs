using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace WsGateway.Tests.Scripts;

/// <summary>Keeps every Serilog event so tests can assert on their properties, not on rendered text.</summary>
internal sealed class CollectingSink : ILogEventSink
{
    private readonly ConcurrentQueue<LogEvent> _events = new();

    public IReadOnlyCollection<LogEvent> Events => _events;

    public void Emit(LogEvent logEvent) => _events.Enqueue(logEvent);
}
