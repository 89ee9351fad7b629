namespace WsGateway.Protocol;

/// <summary>A parsed HTTP/1.x request head: request line and header fields, as received.</summary>
public sealed class HttpRequestHead
{
    internal HttpRequestHead(string method, string target, string path, string query, string version, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        Method = method;
        Target = target;
        Path = path;
        Query = query;
        Version = version;
        Headers = headers;
    }

    /// <summary>The method, case-sensitive as sent (RFC 9110 9.1): "GET".</summary>
    public string Method { get; }

    /// <summary>The request target as sent: "/chat?room=1", "http://host/chat" or "*".</summary>
    public string Target { get; }

    /// <summary>The target's path, not percent-decoded: "/chat"; "*" for an asterisk-form target.</summary>
    public string Path { get; }

    /// <summary>The target's query including the leading '?' (as ASP.NET's QueryString), or empty.</summary>
    public string Query { get; }

    /// <summary>The protocol version: "HTTP/1.1".</summary>
    public string Version { get; }

    /// <summary>Header fields in received order; values trimmed of surrounding whitespace, bytes above 0x7F read as Latin-1.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>
    /// The value of header <paramref name="name"/> (case-insensitive), with repeated lines joined by ", "
    /// (RFC 9110 5.3); null when absent.
    /// </summary>
    public string? GetHeader(string name)
    {
        string? value = null;
        foreach (var (key, headerValue) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                value = value is null ? headerValue : $"{value}, {headerValue}";
            }
        }

        return value;
    }

    /// <summary>How many header lines named <paramref name="name"/> (case-insensitive) the request has.</summary>
    public int CountHeader(string name)
    {
        int count = 0;
        foreach (var (key, _) in Headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// Whether header <paramref name="name"/>, read as a comma-separated token list (RFC 9110 5.6.1) across all its
    /// lines, contains <paramref name="token"/>; case-insensitive, optional whitespace around elements ignored.
    /// </summary>
    public bool HeaderContainsToken(string name, string token)
    {
        foreach (var (key, value) in Headers)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (Range range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
