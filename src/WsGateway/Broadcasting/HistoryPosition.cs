namespace WsGateway.Broadcasting;

/// <summary>Where a client is in a group's history: the offset and epoch of the last message it saw.</summary>
internal readonly record struct HistoryPosition(long Offset, string Epoch);
