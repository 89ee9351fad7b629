using System.Net;
using WsGateway.Http;
using WsGateway.Protocol;

namespace WsGateway.Connections;

/// <summary>
/// A check that runs on a valid WebSocket request before the 101 response (origin allow-list, connection limits,
/// authentication). Policies run in order; the first refusal is sent and the connection closed.
/// </summary>
internal interface IHandshakePolicy
{
    /// <summary>The reason label in <c>wsgateway_handshake_failures_total</c> when this policy refuses.</summary>
    string Name { get; }

    /// <returns>Null to let the upgrade go on, or the HTTP response that refuses it.</returns>
    ValueTask<HttpResponse?> CheckAsync(HttpRequestHead request, IPEndPoint? remoteEndPoint, CancellationToken cancellationToken);
}
