using System.Collections.Concurrent;
using System.Net;
using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>The plain-HTTP routes served on the gateway's port (requests without <c>Upgrade</c>).</summary>
internal sealed class HttpRouter
{
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);

    /// <summary>Handles every path no exact route claims (for example static files); null means 404.</summary>
    public Func<HttpRequestHead, HttpResponse?>? Fallback { get; set; }

    /// <param name="guard">Runs first with the client's address; a response it returns refuses the request.</param>
    public void Map(string path, Func<HttpRequestHead, ValueTask<HttpResponse>> handler, Func<HttpRequestHead, IPEndPoint?, HttpResponse?>? guard = null) =>
        _routes[path] = new Route(handler, guard);

    public void Map(string path, Func<HttpRequestHead, HttpResponse> handler) =>
        _routes[path] = new Route(request => ValueTask.FromResult(handler(request)), null);

    public async ValueTask<HttpResponse> RouteAsync(HttpRequestHead request, IPEndPoint? remote)
    {
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
