namespace WsGateway.Protocol;

/// <summary>Frame opcodes defined by RFC 6455 section 5.2; 3-7 and 11-15 are reserved.</summary>
public enum Opcode : byte
{
    /// <summary>Continues a fragmented Text or Binary message.</summary>
    Continuation = 0,

    /// <summary>First (or only) frame of a UTF-8 text message.</summary>
    Text = 1,

    /// <summary>First (or only) frame of a binary message.</summary>
    Binary = 2,

    /// <summary>Control frame: starts or answers the closing handshake.</summary>
    Close = 8,

    /// <summary>Control frame: asks the peer for a Pong.</summary>
    Ping = 9,

    /// <summary>Control frame: answers a Ping, or a unidirectional heartbeat.</summary>
    Pong = 10,
}
