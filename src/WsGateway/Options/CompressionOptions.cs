namespace WsGateway.Options;

/// <summary>permessage-deflate (RFC 7692) on every WebSocket route.</summary>
public sealed record CompressionOptions
{
    /// <summary>Accept a client's permessage-deflate offer (browsers always make one).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages the gateway sends are compressed from this many bytes on; smaller ones are not worth the CPU.</summary>
    public int MinMessageBytes { get; set; } = 1024;

    /// <summary>
    /// Let clients compress each message with the earlier ones as context: better compression of what they send, for
    /// an inflater of about 40 KB held by every such connection for its whole life.
    /// </summary>
    public bool ClientContextTakeover { get; set; }

    /// <summary>The largest window (8-15) a client that offers <c>client_max_window_bits</c> is asked to use.</summary>
    public int ClientMaxWindowBits { get; set; } = 15;
}
