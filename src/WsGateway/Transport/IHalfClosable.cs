namespace WsGateway.Transport;

/// <summary>
/// A stream that can end its sending side and still read, as TCP's half-close does: what
/// <see cref="TransportConnection.CloseAsync"/> needs of a stream that stands for a socket. The framework's streams
/// have no such call (QUIC's alone has one).
/// </summary>
internal interface IHalfClosable
{
    /// <summary>The peer reads to the end of what was written, then sees the end of the stream (a FIN).</summary>
    ValueTask CompleteWritesAsync();
}
