using System.Net;
using WsGateway.Contracts;
using WsGateway.Protocol;

namespace WsGateway.Authentication;

/// <summary>An upgrade request as authenticators see it; the query and cookies are parsed on first use.</summary>
internal sealed class UpgradeRequest : IUpgradeRequest
{
    private readonly HttpRequestHead _head;
    private Dictionary<string, string>? _query;
    private Dictionary<string, string>? _cookies;

    public UpgradeRequest(HttpRequestHead head, IPEndPoint? remoteEndPoint)
    {
        _head = head;
        RemoteEndPoint = remoteEndPoint;
    }

    public string Method => _head.Method;
    public string Path => _head.Path;
    public IReadOnlyDictionary<string, string> Query => _query ??= ParseQuery(_head.Query);
    public IReadOnlyDictionary<string, string> Cookies => _cookies ??= ParseCookies(_head);
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _head.Headers;
    public IPEndPoint? RemoteEndPoint { get; }

    public string? GetHeader(string name) => _head.GetHeader(name);

    /// <param name="query">The query with its leading '?', or empty.</param>
    internal static Dictionary<string, string> ParseQuery(string query)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Decode(equals < 0 ? pair : pair[..equals]);
            values.TryAdd(name, equals < 0 ? "" : Decode(pair[(equals + 1)..]));
        }

        return values;
    }

    private static Dictionary<string, string> ParseCookies(HttpRequestHead head)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, line) in head.Headers)
        {
            if (!key.Equals("Cookie", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // RFC 6265 5.4: "name=value" pairs separated by "; "; a value may be in double quotes.
            foreach (var pair in line.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    var value = pair[(equals + 1)..];
                    values.TryAdd(pair[..equals], value is ['"', .. var inner, '"'] ? inner : value);
                }
            }
        }

        return values;
    }

    // '+' is a space in form-encoded queries (what browsers' URLSearchParams writes).
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
