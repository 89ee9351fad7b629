namespace WsGateway.Broadcasting;

/// <summary>A message a group kept, with its position and when it was kept (milliseconds on the store's clock).</summary>
internal readonly record struct HistoryEntry(long Offset, long AtMilliseconds, BusMessage Message);
