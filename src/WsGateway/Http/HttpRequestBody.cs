using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>
/// A plain-HTTP request's body as the handshake read it: its bytes when its <c>Content-Length</c> was within
/// <c>Api:MaxBodyBytes</c>, otherwise only how it was framed, for the route to refuse.
/// </summary>
/// <param name="Framing">How the head framed the body.</param>
/// <param name="Length">The declared length (for <see cref="BodyFraming.TooLarge"/>, the length that was not read).</param>
/// <param name="Bytes">The body, read in full for <see cref="BodyFraming.ContentLength"/>; empty otherwise.</param>
internal sealed record HttpRequestBody(BodyFraming Framing, long Length, ReadOnlyMemory<byte> Bytes)
{
    public static HttpRequestBody Empty { get; } = new(BodyFraming.None, 0, ReadOnlyMemory<byte>.Empty);
}
