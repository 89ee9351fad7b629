namespace WsGateway.Broadcasting;

/// <summary>Data messages and their payload bytes, received from and sent to one session.</summary>
internal readonly record struct SessionTraffic(long MessagesIn, long BytesIn, long MessagesOut, long BytesOut);
