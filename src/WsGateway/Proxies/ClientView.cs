using System.Net;

namespace WsGateway.Proxies;

/// <summary>
/// Who sent a request and how they addressed the gateway: the connection's own view, or what a trusted proxy said
/// (PROXY header, <c>X-Forwarded-For</c>, <c>-Proto</c>, <c>-Host</c>). What the Host check, the origin check,
/// authentication, per-IP limits, <c>/metrics</c> access, logs and sessions use.
/// </summary>
/// <param name="RemoteEndPoint">The client's address (port 0 when a proxy did not say).</param>
/// <param name="Host">
/// The host name and port the client asked for: the Host header, or <c>X-Forwarded-Host</c> when
/// <c>Proxies:ForwardedHeaders</c> lists Host.
/// </param>
/// <param name="IsHttps">
/// Whether the client used TLS: the gateway's own TLS, or <c>X-Forwarded-Proto</c> when <c>Proxies:ForwardedHeaders</c>
/// lists Proto.
/// </param>
internal readonly record struct ClientView(IPEndPoint? RemoteEndPoint, string? Host, bool IsHttps);
