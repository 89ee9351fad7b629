namespace WsGateway.Broadcasting;

/// <summary>A group's history could not be reached (Redis is down): a message to it was not sent, or a read failed.</summary>
internal sealed class HistoryUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
