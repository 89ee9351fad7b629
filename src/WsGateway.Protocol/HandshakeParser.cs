using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace WsGateway.Protocol;

/// <summary>Parses an HTTP/1.x request head (RFC 9112 sections 2-5) strictly enough to answer 400 to anything malformed.</summary>
public static class HandshakeParser
{
    // RFC 9110 5.6.2: token = 1*tchar.
    private static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private static ReadOnlySpan<byte> Crlf => "\r\n"u8;

    /// <summary>
    /// Parses request head bytes as <see cref="RequestHeadReader.TryFindHead"/> delimits them: request line, header
    /// lines and the terminating empty line, nothing after it.
    /// </summary>
    /// <param name="head">The head, ending with CRLF CRLF.</param>
    /// <param name="request">The parsed head when true.</param>
    /// <param name="error">A short reason, safe to put in a 400 response, when false.</param>
    public static bool TryParse(ReadOnlySpan<byte> head, [NotNullWhen(true)] out HttpRequestHead? request, out string? error)
    {
        request = null;

        // RFC 9112 2.2: a server SHOULD ignore empty lines received before the request line.
        while (head.StartsWith(Crlf))
        {
            head = head[2..];
        }

        if (!TryReadLine(ref head, out ReadOnlySpan<byte> requestLine))
        {
            return Fail("Request head does not end with an empty line", out error);
        }

        if (!TryParseRequestLine(requestLine, out string? method, out string? target, out string? path, out string? query, out string? version, out error))
        {
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>();
        while (true)
        {
            if (!TryReadLine(ref head, out ReadOnlySpan<byte> line))
            {
                return Fail("Request head does not end with an empty line", out error);
            }

            if (line.IsEmpty)
            {
                break;
            }

            if (!TryParseHeaderLine(line, out KeyValuePair<string, string> header, out error))
            {
                return false;
            }

            headers.Add(header);
        }

        if (!head.IsEmpty)
        {
            return Fail("Unexpected bytes after the request head", out error);
        }

        request = new HttpRequestHead(method, target, path, query, version, headers);

        // RFC 9112 3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than one.
        int hosts = request.CountHeader("Host");
        if (hosts > 1)
        {
            request = null;
            return Fail("More than one Host header", out error);
        }

        if (hosts == 0 && version != "HTTP/1.0")
        {
            request = null;
            return Fail("Missing Host header", out error);
        }

        error = null;
        return true;
    }

    private static bool TryReadLine(ref ReadOnlySpan<byte> head, out ReadOnlySpan<byte> line)
    {
        int end = head.IndexOf(Crlf);
        if (end < 0)
        {
            line = default;
            return false;
        }

        line = head[..end];
        head = head[(end + 2)..];
        return true;
    }

    // RFC 9112 3: request-line = method SP request-target SP HTTP-version
    private static bool TryParseRequestLine(
        ReadOnlySpan<byte> line,
        [NotNullWhen(true)] out string? method,
        [NotNullWhen(true)] out string? target,
        [NotNullWhen(true)] out string? path,
        [NotNullWhen(true)] out string? query,
        [NotNullWhen(true)] out string? version,
        out string? error)
    {
        method = target = path = query = version = null;

        int firstSpace = line.IndexOf((byte)' ');
        if (firstSpace <= 0 || line[..firstSpace].IndexOfAnyExcept(TokenChars) >= 0)
        {
            return Fail("Malformed request line: method", out error);
        }

        ReadOnlySpan<byte> rest = line[(firstSpace + 1)..];
        int secondSpace = rest.IndexOf((byte)' ');
        if (secondSpace <= 0 || rest[..secondSpace].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E) >= 0)
        {
            return Fail("Malformed request line: target", out error);
        }

        ReadOnlySpan<byte> versionBytes = rest[(secondSpace + 1)..];
        if (versionBytes.Length != 8 || !versionBytes.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)versionBytes[5])
            || versionBytes[6] != (byte)'.' || !char.IsAsciiDigit((char)versionBytes[7]))
        {
            return Fail("Malformed request line: version", out error);
        }

        if (versionBytes[5] != (byte)'1')
        {
            return Fail("Unsupported HTTP version", out error);
        }

        ReadOnlySpan<byte> methodBytes = line[..firstSpace];
        method = methodBytes.SequenceEqual("GET"u8) ? "GET" : Encoding.ASCII.GetString(methodBytes);
        version = versionBytes.SequenceEqual("HTTP/1.1"u8) ? "HTTP/1.1" : Encoding.ASCII.GetString(versionBytes);
        target = Encoding.ASCII.GetString(rest[..secondSpace]);
        if (!TrySplitTarget(method, target, out path, out query))
        {
            return Fail("Malformed request target", out error);
        }

        error = null;
        return true;
    }

    // RFC 9112 3.2: origin-form, absolute-form (which servers MUST accept) and asterisk-form (OPTIONS only).
    // authority-form is for CONNECT, which a gateway that is not a proxy has no use for.
    private static bool TrySplitTarget(string method, string target, [NotNullWhen(true)] out string? path, [NotNullWhen(true)] out string? query)
    {
        path = query = null;
        if (target == "*")
        {
            if (method != "OPTIONS")
            {
                return false;
            }

            path = "*";
            query = string.Empty;
            return true;
        }

        ReadOnlySpan<char> pathAndQuery = target;
        if (!pathAndQuery.StartsWith('/'))
        {
            int schemeEnd = pathAndQuery.IndexOf("://", StringComparison.Ordinal);
            if (schemeEnd < 0)
            {
                return false;
            }

            ReadOnlySpan<char> scheme = pathAndQuery[..schemeEnd];
            if (!scheme.Equals("http", StringComparison.OrdinalIgnoreCase) && !scheme.Equals("https", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }

            ReadOnlySpan<char> afterScheme = pathAndQuery[(schemeEnd + 3)..];
            int authorityEnd = afterScheme.IndexOfAny('/', '?');
            if (authorityEnd == 0 || afterScheme.IsEmpty)
            {
                return false;
            }

            pathAndQuery = authorityEnd < 0 ? "/" : afterScheme[authorityEnd..];
        }

        int queryStart = pathAndQuery.IndexOf('?');
        ReadOnlySpan<char> pathSpan = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        path = pathSpan.IsEmpty ? "/" : pathSpan.ToString();
        query = queryStart < 0 ? string.Empty : pathAndQuery[queryStart..].ToString();
        return true;
    }

    // RFC 9112 5: field-line = field-name ":" OWS field-value OWS
    private static bool TryParseHeaderLine(ReadOnlySpan<byte> line, out KeyValuePair<string, string> header, out string? error)
    {
        header = default;
        if (line[0] is (byte)' ' or (byte)'\t')
        {
            // RFC 9112 5.2: obs-fold is deprecated; rejecting it is allowed outside message/http.
            return Fail("Obsolete line folding in headers", out error);
        }

        int colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            return Fail("Header line without a colon", out error);
        }

        ReadOnlySpan<byte> name = line[..colon];
        if (name.IsEmpty)
        {
            return Fail("Empty header name", out error);
        }

        if (name[^1] is (byte)' ' or (byte)'\t')
        {
            // RFC 9112 5.1: MUST respond with 400 to whitespace between field name and colon (smuggling vector).
            return Fail("Whitespace between header name and colon", out error);
        }

        if (name.IndexOfAnyExcept(TokenChars) >= 0)
        {
            return Fail("Invalid character in header name", out error);
        }

        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
        foreach (byte b in value)
        {
            // RFC 9110 5.5: field-vchar / SP / HTAB; obs-text (0x80-0xFF) is tolerated. Any other CTL, including a
            // bare CR or LF, is refused.
            if ((b < 0x20 && b != (byte)'\t') || b == 0x7F)
            {
                return Fail("Control character in header value", out error);
            }
        }

        header = new KeyValuePair<string, string>(Encoding.ASCII.GetString(name), Encoding.Latin1.GetString(value));
        error = null;
        return true;
    }

    private static bool Fail(string reason, out string? error)
    {
        error = reason;
        return false;
    }
}
