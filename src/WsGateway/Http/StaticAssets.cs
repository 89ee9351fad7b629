using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Security.Cryptography;
using WsGateway.Protocol;

namespace WsGateway.Http;

/// <summary>
/// The web console: every resource embedded under <c>wwwroot/</c> (see WsGateway.csproj), read once at startup and
/// served from memory by request path.
/// </summary>
internal sealed class StaticAssets
{
    /// <summary>
    /// Sent with every asset. The page needs nothing but its own files and a WebSocket back to this gateway, so
    /// everything else is refused; received text can then never run as script even if the page had a bug.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; " +
        "script-src 'self'; base-uri 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The same for every asset: file names carry no version, so a long max-age could pair a new index.html with an
    /// hour-old console.js after a gateway upgrade. <c>no-cache</c> lets the browser keep its copy but revalidate it;
    /// with the ETag that costs one 304 round trip for files of a few kilobytes.
    /// </summary>
    public const string CacheControl = "no-cache";

    private const string ResourcePrefix = "wwwroot/";
    private const string IndexPath = "/index.html";
    private const string ClientPrefix = "/client/";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".ts"] = "text/plain; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".webp"] = "image/webp",
        [".woff2"] = "font/woff2",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, StaticAsset> _assets;

    /// <summary>Reads every <c>wwwroot/</c> resource of <paramref name="assembly"/>.</summary>
    /// <exception cref="InvalidOperationException">A resource has an extension with no known content type.</exception>
    public StaticAssets(Assembly assembly)
    {
        var assets = new Dictionary<string, StaticAsset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            // RecursiveDir uses the build machine's separator.
            var logical = name.Replace('\\', '/');
            if (!logical.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                continue;
            }

            var path = "/" + logical[ResourcePrefix.Length..];
            using var stream = assembly.GetManifestResourceStream(name)
                ?? throw new InvalidOperationException($"Embedded resource {name} cannot be opened.");
            var body = new byte[stream.Length];
            stream.ReadExactly(body);
            assets[path] = new StaticAsset(path, ContentTypeOf(path), body, ETagOf(body), CacheControl);
        }

        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>The console embedded in the gateway assembly.</summary>
    public static StaticAssets LoadEmbedded() => new(typeof(StaticAssets).Assembly);

    /// <summary>Every request path that serves an asset (<c>/</c> excluded; it serves <c>/index.html</c>).</summary>
    public IEnumerable<string> Paths => _assets.Keys;

    /// <summary>Finds the asset for a request path; <c>/</c> is the console page. A query string is ignored.</summary>
    public bool TryGet(string path, [MaybeNullWhen(false)] out StaticAsset asset)
    {
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        return _assets.TryGetValue(path == "/" ? IndexPath : path, out asset);
    }

    /// <summary>
    /// Answers a plain GET or HEAD for an asset: 200 with the body, or 304 when <c>If-None-Match</c> names the current
    /// ETag; null when the path has no asset (the router then answers 404).
    /// </summary>
    public HttpResponse? Respond(HttpRequestHead request)
    {
        if (!TryGet(request.Path, out var asset))
        {
            return null;
        }

        // The client library is imported by apps' own pages, from other origins: a module script is fetched with CORS.
        // It is public code and the fetch carries no credentials, so any origin may have it; it needs no page policy.
        KeyValuePair<string, string>[] headers =
        [
            new("ETag", asset.ETag),
            new("Cache-Control", asset.CacheControl),
            request.Path.StartsWith(ClientPrefix, StringComparison.Ordinal)
                ? new("Access-Control-Allow-Origin", "*")
                : new("Content-Security-Policy", ContentSecurityPolicy),
            new("Referrer-Policy", "no-referrer"),
        ];
        return asset.IsNotModified(request.GetHeader("If-None-Match"))
            ? new HttpResponse(304, asset.ContentType, ReadOnlyMemory<byte>.Empty, headers)
            : new HttpResponse(200, asset.ContentType, asset.Body, headers);
    }

    private static string ContentTypeOf(string path) =>
        ContentTypes.TryGetValue(Path.GetExtension(path), out var type)
            ? type
            : throw new InvalidOperationException(
                $"Embedded asset {path} has no known content type; add its extension to {nameof(StaticAssets)}.");

    private static string ETagOf(byte[] body) => $"\"{Convert.ToHexStringLower(SHA256.HashData(body))}\"";
}
