namespace WsGateway.Protocol;

/// <summary>How a request says its body is framed (RFC 9112 6.3), as <see cref="RequestBodyFraming.Frame"/> reads it.</summary>
public enum BodyFraming
{
    /// <summary>No <c>Content-Length</c> and no <c>Transfer-Encoding</c>, or a length of 0: no body.</summary>
    None,

    /// <summary>A body of exactly the given length, within the limit: read it.</summary>
    ContentLength,

    /// <summary>A <c>Content-Length</c> above the limit: answer 413 without reading the body.</summary>
    TooLarge,

    /// <summary>A <c>Transfer-Encoding</c> (chunked or other): not read here; answer 411, the client can send a length.</summary>
    TransferEncoding,

    /// <summary>A <c>Content-Length</c> that is not one decimal number (or differing repeated values): answer 400.</summary>
    InvalidLength,
}
