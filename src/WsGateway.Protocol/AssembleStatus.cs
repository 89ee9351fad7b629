namespace WsGateway.Protocol;

/// <summary>What <see cref="MessageAssembler.TryAssemble"/> found in the bytes it was given.</summary>
public enum AssembleStatus
{
    /// <summary>Every byte was consumed and no message or control frame is complete yet.</summary>
    NeedMoreData,

    /// <summary>A whole Text or Binary message: <see cref="MessageAssembler.Message"/>.</summary>
    Message,

    /// <summary>A whole Ping, Pong or Close frame: <see cref="MessageAssembler.Control"/>.</summary>
    Control,

    /// <summary>The bytes break RFC 6455; the error says why and which close code to send.</summary>
    Error,
}
