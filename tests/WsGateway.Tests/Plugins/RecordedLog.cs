using Serilog.Events;

namespace WsGateway.Tests.Plugins;

internal sealed record RecordedLog(
    LogEventLevel Level, string? Plugin, string Message, string? ExceptionType, string? ExceptionMessage);
