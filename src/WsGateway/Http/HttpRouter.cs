using System.Collections.Concurrent;
using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>The plain-HTTP routes served on the gateway's port (requests without <c>Upgrade</c>).</summary>
internal sealed class HttpRouter
{
    private readonly ConcurrentDictionary<string, Func<HttpRequestHead, ValueTask<HttpResponse>>> _routes = new(StringComparer.Ordinal);

    /// <summary>Handles every path no exact route claims (for example static files); null means 404.</summary>
    public Func<HttpRequestHead, HttpResponse?>? Fallback { get; set; }

    public void Map(string path, Func<HttpRequestHead, ValueTask<HttpResponse>> handler) => _routes[path] = handler;

    public void Map(string path, Func<HttpRequestHead, HttpResponse> handler) =>
        _routes[path] = request => ValueTask.FromResult(handler(request));

    public async ValueTask<HttpResponse> RouteAsync(HttpRequestHead request)
    {
        if (request.Method is not ("GET" or "HEAD"))
        {
            return HttpResponse.Text(405, "Only GET and HEAD are served here.", [new("Allow", "GET, HEAD")]);
        }

        if (_routes.TryGetValue(request.Path, out var handler))
        {
            return await handler(request);
        }

        return Fallback?.Invoke(request) ?? HttpResponse.Text(404, $"Nothing at {request.Path}. WebSocket clients connect with an Upgrade request.");
    }
}
