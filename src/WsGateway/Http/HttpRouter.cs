using System.Collections.Concurrent;
using System.Net;
using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>The plain-HTTP routes served on the gateway's port (requests without <c>Upgrade</c>).</summary>
internal sealed class HttpRouter
{
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private (string Prefix, Func<HttpRequestHead, HttpRequestBody, IPEndPoint?, ValueTask<HttpResponse>> Handler)[] _prefixes = [];

    /// <summary>Handles every path no exact route claims (for example static files); null means 404.</summary>
    public Func<HttpRequestHead, HttpResponse?>? Fallback { get; set; }

    /// <param name="guard">Runs first with the client's address; a response it returns refuses the request.</param>
    public void Map(string path, Func<HttpRequestHead, ValueTask<HttpResponse>> handler, Func<HttpRequestHead, IPEndPoint?, HttpResponse?>? guard = null) =>
        _routes[path] = new Route(handler, guard);

    public void Map(string path, Func<HttpRequestHead, HttpResponse> handler) =>
        _routes[path] = new Route(request => ValueTask.FromResult(handler(request)), null);

    /// <summary>
    /// Hands every request whose path starts with <paramref name="prefix"/> to <paramref name="handler"/>, whatever its
    /// method and body: the handler answers 405 and refuses bodies itself.
    /// </summary>
    public void MapPrefix(string prefix, Func<HttpRequestHead, HttpRequestBody, IPEndPoint?, ValueTask<HttpResponse>> handler) =>
        _prefixes = [.. _prefixes.Where(p => p.Prefix != prefix), (prefix, handler)];

    public ValueTask<HttpResponse> RouteAsync(HttpRequestHead request, IPEndPoint? remote) =>
        RouteAsync(request, HttpRequestBody.Empty, remote);

    public async ValueTask<HttpResponse> RouteAsync(HttpRequestHead request, HttpRequestBody body, IPEndPoint? remote)
    {
        foreach (var (prefix, handler) in _prefixes)
        {
            if (request.Path.StartsWith(prefix, StringComparison.Ordinal))
            {
                return await handler(request, body, remote);
            }
        }

        if (request.Method is not ("GET" or "HEAD"))
        {
            return HttpResponse.Text(405, "Only GET and HEAD are served here.", [new("Allow", "GET, HEAD")]);
        }

        if (_routes.TryGetValue(request.Path, out var route))
        {
            return route.Guard?.Invoke(request, remote) ?? await route.Handler(request);
        }

        return Fallback?.Invoke(request) ?? HttpResponse.Text(404, $"Nothing at {request.Path}. WebSocket clients connect with an Upgrade request.");
    }

    private sealed record Route(Func<HttpRequestHead, ValueTask<HttpResponse>> Handler, Func<HttpRequestHead, IPEndPoint?, HttpResponse?>? Guard);
}
