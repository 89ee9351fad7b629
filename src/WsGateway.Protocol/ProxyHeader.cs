using System.Net;

namespace WsGateway.Protocol;

/// <summary>
/// What a PROXY protocol header said about the connection it precedes. <see cref="Source"/> is null when the header
/// carries no usable address (v1 <c>UNKNOWN</c>, v2 <c>LOCAL</c>, or a v2 UNSPEC or UNIX family): the receiver then
/// keeps the connection's own addresses, as the specification asks.
/// </summary>
/// <param name="Version">1 (text) or 2 (binary).</param>
/// <param name="Source">The client's address and port as the proxy saw them.</param>
/// <param name="Destination">The address and port the client connected to on the proxy.</param>
public readonly record struct ProxyHeader(int Version, IPEndPoint? Source, IPEndPoint? Destination);
