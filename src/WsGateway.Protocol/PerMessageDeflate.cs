namespace WsGateway.Protocol;

/// <summary>What the gateway allows a client to ask for in permessage-deflate (RFC 7692), from its configuration.</summary>
/// <param name="ClientContextTakeover">
/// Whether a client may compress each message with the previous ones as context. It compresses better, but the
/// gateway must then keep an inflater (about 40 KB) per connection for as long as it lives; without it, inflaters
/// exist only while a message is inflated.
/// </param>
/// <param name="ClientMaxWindowBits">The largest window (8-15) a client that offers <c>client_max_window_bits</c> is asked to use.</param>
public sealed record DeflatePolicy(bool ClientContextTakeover, int ClientMaxWindowBits);

/// <summary>permessage-deflate as agreed for one connection.</summary>
/// <param name="ClientContextTakeover">Whether the client may use earlier messages as context (the gateway then keeps its inflater).</param>
/// <param name="ResponseHeader">The <c>Sec-WebSocket-Extensions</c> value of the 101 response.</param>
public sealed record DeflateAgreement(bool ClientContextTakeover, string ResponseHeader);

/// <summary>
/// Negotiates permessage-deflate (RFC 7692 section 7.1) from a client's <c>Sec-WebSocket-Extensions</c> headers: pure
/// parsing, no I/O. The first acceptable offer wins; an offer with an unknown or repeated parameter or a bad value is
/// declined as a whole, and the next one is considered (section 5.1).
/// </summary>
/// <remarks>
/// The gateway never takes over its own compression context (every message it sends is compressed on its own, which
/// lets one compressed broadcast serve every recipient) and says so with <c>server_no_context_takeover</c>, which also
/// lets the client drop its inflater between messages. Its deflater always uses the full 32 KiB window
/// (<see cref="System.IO.Compression.DeflateStream"/> has no smaller one), so an offer that limits
/// <c>server_max_window_bits</c> below 15 is declined rather than broken.
/// </remarks>
public static class PerMessageDeflateNegotiator
{
    public const string ExtensionName = "permessage-deflate";

    private const int MinWindowBits = 8;
    private const int MaxWindowBits = 15;

    /// <param name="headerValues">Every <c>Sec-WebSocket-Extensions</c> value of the request, in order.</param>
    /// <param name="policy">What the configuration allows.</param>
    /// <returns>The agreement, or null when no offer is acceptable (the connection goes on uncompressed).</returns>
    public static DeflateAgreement? Negotiate(IEnumerable<string> headerValues, DeflatePolicy policy)
    {
        foreach (var value in headerValues)
        {
            foreach (var element in SplitOutsideQuotes(value, ','))
            {
                if (TryAccept(element, policy) is { } agreement)
                {
                    return agreement;
                }
            }
        }

        return null;
    }

    private static DeflateAgreement? TryAccept(string element, DeflatePolicy policy)
    {
        var parts = SplitOutsideQuotes(element, ';');
        if (!string.Equals(parts[0].Trim(), ExtensionName, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        bool clientNoContextTakeover = false, serverNoContextTakeover = false, clientWindowOffered = false, serverWindowOffered = false;
        int? clientWindowBits = null;
        foreach (var part in parts.Skip(1))
        {
            if (!TrySplitParameter(part, out var name, out var value))
            {
                return null;
            }

            switch (name)
            {
                case "server_no_context_takeover" when value is null && !serverNoContextTakeover:
                    serverNoContextTakeover = true;
                    break;
                case "client_no_context_takeover" when value is null && !clientNoContextTakeover:
                    clientNoContextTakeover = true;
                    break;
                case "server_max_window_bits" when !serverWindowOffered && TryParseWindowBits(value, out var bits):
                    // Below 15 is a limit our deflater cannot keep.
                    if (bits < MaxWindowBits)
                    {
                        return null;
                    }

                    serverWindowOffered = true;
                    break;
                case "client_max_window_bits" when !clientWindowOffered && (value is null || TryParseWindowBits(value, out _)):
                    clientWindowOffered = true;
                    clientWindowBits = value is null ? null : int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    // Unknown, repeated, or with a value it may not have.
                    return null;
            }
        }

        bool clientContextTakeover = policy.ClientContextTakeover && !clientNoContextTakeover;
        var response = ExtensionName + "; server_no_context_takeover";
        if (!clientContextTakeover)
        {
            response += "; client_no_context_takeover";
        }

        // Only a client that offered client_max_window_bits may be told a window (section 7.1.2.2).
        int askedWindow = Math.Min(clientWindowBits ?? MaxWindowBits, policy.ClientMaxWindowBits);
        if (clientWindowOffered && askedWindow < MaxWindowBits)
        {
            response += "; client_max_window_bits=" + askedWindow.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return new DeflateAgreement(clientContextTakeover, response);
    }

    /// <summary><c>name</c> or <c>name=value</c> or <c>name="value"</c>, with optional white space around each.</summary>
    private static bool TrySplitParameter(string parameter, out string name, out string? value)
    {
        var equals = parameter.IndexOf('=', StringComparison.Ordinal);
        name = (equals < 0 ? parameter : parameter[..equals]).Trim().ToLowerInvariant();
        value = null;
        if (name.Length == 0)
        {
            return false;
        }

        if (equals < 0)
        {
            return true;
        }

        var raw = parameter[(equals + 1)..].Trim();
        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            raw = raw[1..^1];
        }

        value = raw;
        return raw.Length > 0;
    }

    /// <summary>8 to 15, digits only, no leading zero (RFC 7692 section 7.1.2.1).</summary>
    private static bool TryParseWindowBits(string? value, out int bits)
    {
        bits = 0;
        if (value is null || value.Length is < 1 or > 2 || value[0] == '0' || !value.All(char.IsAsciiDigit))
        {
            return false;
        }

        bits = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
        return bits is >= MinWindowBits and <= MaxWindowBits;
    }

    /// <summary>Splits at <paramref name="separator"/> where it is not inside a quoted string.</summary>
    private static List<string> SplitOutsideQuotes(string text, char separator)
    {
        var parts = new List<string>();
        bool quoted = false;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '"')
            {
                quoted = !quoted;
            }
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }
}
