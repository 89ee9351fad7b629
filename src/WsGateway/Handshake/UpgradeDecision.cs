using System.Net;
using WsGateway.Authentication;
using WsGateway.Connections;
using WsGateway.Contracts;
using WsGateway.Http;
using WsGateway.Protocol;
using WsGateway.Proxies;

namespace WsGateway.Handshake;

/// <summary>
/// Whether a WebSocket upgrade request may become a connection, and as whom: a valid RFC 6455 handshake, a route at
/// its path, an allowed Origin, then authentication. Sends nothing: the caller answers the refusal or the 101.
/// </summary>
internal sealed class UpgradeDecision
{
    // Each route with its path as configured: an accepted connection keeps that string, not the request's copy of it.
    private readonly Dictionary<string, (string Path, IWebSocketRoute Route)> _routes;
    private readonly OriginPolicy _origins;
    private readonly HandshakeAuthentication _authentication;

    public UpgradeDecision(IReadOnlyDictionary<string, IWebSocketRoute> routes, OriginPolicy origins, HandshakeAuthentication authentication)
    {
        _routes = routes.ToDictionary(r => r.Key, r => (r.Key, r.Value), StringComparer.Ordinal);
        _origins = origins;
        _authentication = authentication;
    }

    /// <summary>A request straight from the client (no proxy): its Host header, plain HTTP.</summary>
    public ValueTask<UpgradeVerdict> DecideAsync(
        HttpRequestHead request, HandshakeValidation validation, IPEndPoint? remote, CancellationToken cancellationToken) =>
        DecideAsync(request, validation, new ClientView(remote, request.GetHeader("Host"), false), cancellationToken);

    /// <param name="validation">The request's handshake check (<see cref="WebSocketHandshake.Validate"/>), an upgrade attempt.</param>
    /// <param name="client">The client as a trusted proxy described it, or as the connection shows it.</param>
    public async ValueTask<UpgradeVerdict> DecideAsync(
        HttpRequestHead request, HandshakeValidation validation, ClientView client, CancellationToken cancellationToken)
    {
        switch (validation.Outcome)
        {
            case HandshakeOutcome.Accept:
                break;
            case HandshakeOutcome.UpgradeRequired:
                return UpgradeVerdict.Refuse(UpgradeRequired(validation.Reason), "version");
            case HandshakeOutcome.ObsoleteDraft:
                return UpgradeVerdict.Refuse(UpgradeRequired(validation.Reason), "draft76");
            case HandshakeOutcome.MethodNotAllowed:
                return UpgradeVerdict.Refuse(HttpResponse.Text(405, validation.Reason ?? "WebSocket upgrades use GET.", [new("Allow", "GET")]), "method");
            default:
                return UpgradeVerdict.Refuse(HttpResponse.Text(400, validation.Reason ?? "Bad WebSocket request."), "bad_request");
        }

        if (!_routes.TryGetValue(request.Path, out var match))
        {
            return UpgradeVerdict.Refuse(HttpResponse.Text(404, $"No WebSocket route at {request.Path}."), "not_found");
        }

        // Before authentication: a page from a refused origin learns nothing about which credentials would work.
        if (_origins.Check(request, client.Host, client.IsHttps) is { } refusedOrigin)
        {
            return UpgradeVerdict.Refuse(refusedOrigin, "origin");
        }

        var authentication = await _authentication.AuthenticateAsync(request, client.RemoteEndPoint, cancellationToken);
        if (authentication.Refusal is { } refusal)
        {
            var label = refusal.Status switch { 401 => "unauthorized", 403 => "forbidden", _ => "auth_unavailable" };
            var detail = authentication.Method is null ? authentication.Reason : $"{authentication.Method}: {authentication.Reason}";
            // The route rides along, so that a client of its own protocol can be told in band (UpgradeHandshake).
            return UpgradeVerdict.Refuse(refusal, label, detail) with { RefusedRoute = match.Route, NoCredentials = authentication.Method is null };
        }

        return new UpgradeVerdict(match.Route, authentication.Identity, null, null, null, match.Path);
    }

    private static HttpResponse UpgradeRequired(string? reason) => HttpResponse.Text(
        426, reason ?? "This server speaks WebSocket version 13 (RFC 6455).",
        [new("Sec-WebSocket-Version", WebSocketHandshake.SupportedVersion)]);
}

/// <summary>An accepted upgrade (<see cref="Route"/> and <see cref="Identity"/>) or a refusal to send.</summary>
/// <param name="Reason">The label in <c>wsgateway_handshake_failures_total</c>.</param>
/// <param name="Detail">What the log line adds (an authentication failure's cause); never a secret.</param>
/// <param name="Path">For an accepted upgrade, the route's path: equal to the request's, but the configuration's string.</param>
internal sealed record UpgradeVerdict(
    IWebSocketRoute? Route, CallerIdentity? Identity, HttpResponse? Refusal, string? Reason, string? Detail, string? Path = null)
{
    public static UpgradeVerdict Refuse(HttpResponse refusal, string reason, string? detail = null) => new(null, null, refusal, reason, detail);

    /// <summary>With an authentication refusal: the route it was for, whose clients may be told in band (<see cref="InBandRefusal"/>).</summary>
    public IWebSocketRoute? RefusedRoute { get; init; }

    /// <summary>With a 401: no method looked at credentials, because the request brought none.</summary>
    public bool NoCredentials { get; init; }
}
