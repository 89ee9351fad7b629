using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using WsGateway.Authentication;
using WsGateway.Commands;
using WsGateway.Connections;
using WsGateway.Proxies;

namespace WsGateway.Options;

/// <summary>
/// Checks bound <see cref="GatewayOptions"/> and collects every invalid value, each message starting with the key
/// (<c>Commands:Paths[1]</c>), so an operator can fix them all in one edit.
/// </summary>
internal static class GatewayOptionsValidator
{
    /// <summary>
    /// Largest allowed <c>Limits:MaxMessageBytes</c>. A connection buffers a whole message in one array, and .NET
    /// arrays stop just short of int.MaxValue elements (<see cref="Array.MaxLength"/>).
    /// </summary>
    public const long LargestMessageBytes = int.MaxValue - 64;

    /// <summary>
    /// Smallest allowed <c>Limits:MaxHandshakeBytes</c>: a minimal valid upgrade request (request line, Host, Upgrade,
    /// Connection, Sec-WebSocket-Key and -Version) is about 140 bytes.
    /// </summary>
    public const int SmallestHandshakeBytes = 256;

    /// <summary>
    /// Longest allowed timeout, about 24.8 days: timers and <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/>
    /// count whole milliseconds in 32 bits and throw beyond that, which would fail a connection, not the startup.
    /// </summary>
    public const double LongestSeconds = int.MaxValue / 1000;

    public static IReadOnlyList<string> Validate(GatewayOptions options)
    {
        var errors = new List<string>();
        ValidateListen(options.Listen, errors);
        ValidateTls(options, errors);
        ValidateHosts(options.Hosts, errors);
        if (options.Metrics.ApiKey.Length is > 0 and < 16)
        {
            // The key itself is never repeated: validation messages reach logs and terminals.
            errors.Add("Metrics:ApiKey is too short to be a secret (at least 16 characters)");
        }
        ValidateOrigins(options.Origins, errors);
        // Built here as the handshake builds them, so a key that does not load refuses the configuration.
        _ = AuthenticationMethods.Build(options.Authentication, options.ResolvePath, errors);
        ValidateLimits(options.Limits, errors);
        Range(errors, "Compression:MinMessageBytes", options.Compression.MinMessageBytes, 1, int.MaxValue);
        Range(errors, "Compression:ClientMaxWindowBits", options.Compression.ClientMaxWindowBits, 8, 15);
        ValidateRoutes(options.Echo, options.Commands, errors);
        ValidateCommands(options.Commands, errors);
        ValidatePlugins(options.Plugins, errors);
        ValidateScripts(options.Scripts, errors);
        Seconds(errors, "Shutdown:ReadinessGraceSeconds", options.Shutdown.ReadinessGraceSeconds, zeroAllowed: true);
        Seconds(errors, "Shutdown:DrainSeconds", options.Shutdown.DrainSeconds, zeroAllowed: true);
        ValidateCluster(options.Cluster, errors);
        ValidateProxies(options.Proxies, errors);
        return errors;
    }

    private static void ValidateListen(ListenOptions listen, List<string> errors)
    {
        if (!IsIpAddress(listen.Address))
        {
            var hint = listen.Address.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? " (use 127.0.0.1 or ::1)" : "";
            errors.Add($"Listen:Address \"{listen.Address}\" is not an IP address{hint}");
        }

        Range(errors, "Listen:Port", listen.Port, IPEndPoint.MinPort, IPEndPoint.MaxPort);
    }

    private static void ValidateTls(GatewayOptions options, List<string> errors)
    {
        var tls = options.Tls;
        int before = errors.Count;
        if (tls.Enabled)
        {
            FileExists(errors, "Tls:CertificatePath", tls.CertificatePath!, options);
        }

        if (!string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            if (!tls.Enabled)
            {
                errors.Add("Tls:KeyPath is set but Tls:CertificatePath is not (TLS needs the certificate)");
            }
            else
            {
                FileExists(errors, "Tls:KeyPath", tls.KeyPath, options);
            }
        }

        if (tls.Enabled && errors.Count == before)
        {
            CertificateLoads(errors, options);
        }

        Seconds(errors, "Tls:HandshakeTimeoutSeconds", tls.HandshakeTimeoutSeconds, zeroAllowed: false);
    }

    /// <summary>
    /// Loads the certificate as the gateway will: a wrong password, a PEM without its key or a corrupt file is a
    /// mistake in the configuration and is reported with the others, not as a crash on startup.
    /// </summary>
    private static void CertificateLoads(List<string> errors, GatewayOptions options)
    {
        try
        {
            using var certificate = CertificateLoader.Load(options);
            if (certificate is { HasPrivateKey: false })
            {
                errors.Add($"Tls:CertificatePath \"{options.Tls.CertificatePath}\" has no private key (set Tls:KeyPath to the PEM key)");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            errors.Add($"Tls:CertificatePath \"{options.Tls.CertificatePath}\" cannot be loaded: {ex.Message.TrimEnd('.')}");
        }
    }

    private static void ValidateCluster(ClusterOptions cluster, List<string> errors)
    {
        if (cluster.Redis.Length > 0)
        {
            try
            {
                _ = StackExchange.Redis.ConfigurationOptions.Parse(cluster.Redis);
            }
            catch (ArgumentException ex)
            {
                // Not the string itself: it may hold a password.
                errors.Add($"Cluster:Redis is not a Redis connection string: {ex.Message}");
            }
        }

        if (!IsToken(cluster.ChannelPrefix))
        {
            errors.Add($"Cluster:ChannelPrefix \"{cluster.ChannelPrefix}\" must be letters, digits and punctuation without spaces");
        }

        if (cluster.NodeName.Length > 0 && !CommandNames.IsValid(cluster.NodeName))
        {
            errors.Add($"Cluster:NodeName \"{cluster.NodeName}\" must be letters, digits, '-', '_' and '.'");
        }

        if (!(cluster.HeartbeatSeconds >= 0.1 && cluster.HeartbeatSeconds <= 60))
        {
            errors.Add(Invariant($"Cluster:HeartbeatSeconds must be between 0.1 and 60 (was {cluster.HeartbeatSeconds})"));
        }
    }

    private static void ValidateProxies(ProxyOptions proxies, List<string> errors)
    {
        for (int i = 0; i < proxies.TrustedProxies.Length; i++)
        {
            if (!TrustedNetworks.TryParse(proxies.TrustedProxies[i], out _, out var problem))
            {
                errors.Add($"{Element("Proxies:TrustedProxies", i)} \"{proxies.TrustedProxies[i]}\" is not an address or range ({problem})");
            }
        }

        if (proxies.ProxyProtocol && proxies.TrustedProxies.Length == 0)
        {
            errors.Add("Proxies:ProxyProtocol is true but Proxies:TrustedProxies is empty " +
                       "(only a trusted proxy may send a PROXY header: list the load balancers' addresses)");
        }

        for (int i = 0; i < proxies.ForwardedHeaders.Length; i++)
        {
            var header = proxies.ForwardedHeaders[i];
            if (!Enum.IsDefined(header))
            {
                errors.Add($"{Element("Proxies:ForwardedHeaders", i)} must be one of {string.Join(", ", Enum.GetNames<ForwardedHeader>())} (was {header})");
            }
            else if (header != ForwardedHeader.For && proxies.TrustedProxies.Length == 0)
            {
                // For is the default and harmless alone; asking for Proto or Host expects a proxy whose word is taken.
                errors.Add($"{Element("Proxies:ForwardedHeaders", i)} is {header} but Proxies:TrustedProxies is empty " +
                           "(forwarding headers are only read from a trusted proxy: list the load balancers' addresses)");
            }
        }
    }

    private static void ValidateHosts(HostOptions hosts, List<string> errors)
    {
        for (int i = 0; i < hosts.Allowed.Length; i++)
        {
            if (HostFilter.PatternProblem(hosts.Allowed[i]) is { } problem)
            {
                errors.Add($"{Element("Hosts:Allowed", i)} \"{hosts.Allowed[i]}\" is not a host pattern ({problem})");
            }
        }
    }

    private static void ValidateOrigins(OriginOptions origins, List<string> errors)
    {
        for (int i = 0; i < origins.Allowed.Length; i++)
        {
            if (OriginPattern.TryParse(origins.Allowed[i], out var problem) is null)
            {
                errors.Add($"{Element("Origins:Allowed", i)} \"{origins.Allowed[i]}\" is not an origin ({problem})");
            }
        }
    }

    private static void ValidateLimits(LimitsOptions limits, List<string> errors)
    {
        Range(errors, "Limits:MaxMessageBytes", limits.MaxMessageBytes, 1, LargestMessageBytes,
            limits.MaxMessageBytes > LargestMessageBytes ? "; a message is buffered in one array" : "");
        Range(errors, "Limits:MaxHandshakeBytes", limits.MaxHandshakeBytes, SmallestHandshakeBytes, int.MaxValue,
            limits.MaxHandshakeBytes < SmallestHandshakeBytes ? "; a minimal upgrade request is about 140 bytes" : "");
        Seconds(errors, "Limits:HandshakeTimeoutSeconds", limits.HandshakeTimeoutSeconds, zeroAllowed: false);
        Range(errors, "Limits:SendBufferBytes", limits.SendBufferBytes, 1, long.MaxValue);
        Seconds(errors, "Limits:CloseTimeoutSeconds", limits.CloseTimeoutSeconds, zeroAllowed: false);
        Range(errors, "Limits:MaxConnections", limits.MaxConnections, 0, int.MaxValue);
        Range(errors, "Limits:MaxConnectionsPerIp", limits.MaxConnectionsPerIp, 0, int.MaxValue);
        Seconds(errors, "Limits:IdleTimeoutSeconds", limits.IdleTimeoutSeconds, zeroAllowed: true);
        Seconds(errors, "Limits:KeepAliveSeconds", limits.KeepAliveSeconds, zeroAllowed: true);
        Seconds(errors, "Limits:KeepAliveTimeoutSeconds", limits.KeepAliveTimeoutSeconds, zeroAllowed: false);
    }

    /// <summary>Echo and command paths share one lookup: a path can lead to one route only.</summary>
    private static void ValidateRoutes(EchoOptions echo, CommandOptions commands, List<string> errors)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        Paths("Echo:Paths", echo.Paths);
        Paths("Commands:Paths", commands.Paths);

        void Paths(string key, string[] paths)
        {
            for (int i = 0; i < paths.Length; i++)
            {
                var element = Element(key, i);
                if (PathProblem(paths[i]) is { } problem)
                {
                    errors.Add($"{element} \"{paths[i]}\" {problem}");
                }
                else if (seen.TryGetValue(paths[i], out var first))
                {
                    errors.Add($"{element} \"{paths[i]}\" is already {first} (a path leads to one route)");
                }
                else
                {
                    seen.Add(paths[i], element);
                }
            }
        }
    }

    private static void ValidateCommands(CommandOptions commands, List<string> errors)
    {
        Seconds(errors, "Commands:TimeoutSeconds", commands.TimeoutSeconds, zeroAllowed: false);
        if (!(commands.MessagesPerSecond >= 0 && double.IsFinite(commands.MessagesPerSecond)))
        {
            errors.Add(Invariant($"Commands:MessagesPerSecond must be 0 (no limit) or more (was {commands.MessagesPerSecond})"));
        }

        Range(errors, "Commands:Burst", commands.Burst, 1, int.MaxValue);
        if (!Enum.IsDefined(commands.RateLimitAction))
        {
            errors.Add($"Commands:RateLimitAction must be one of {string.Join(", ", Enum.GetNames<RateLimitAction>())} (was {commands.RateLimitAction})");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < commands.Subprotocols.Length; i++)
        {
            var name = commands.Subprotocols[i];
            if (!IsToken(name))
            {
                // RFC 6455 section 4.1: each subprotocol is a token as defined by RFC 7230 section 3.2.6.
                errors.Add($"{Element("Commands:Subprotocols", i)} \"{name}\" is not a subprotocol name " +
                           "(letters, digits and !#$%&'*+-.^_`|~ only, no spaces or separators)");
            }
            else if (!seen.Add(name))
            {
                errors.Add($"{Element("Commands:Subprotocols", i)} \"{name}\" is listed twice");
            }
        }
    }

    private static void ValidatePlugins(PluginOptions plugins, List<string> errors)
    {
        DirectoryPath(errors, "Plugins:Directory", plugins.Directory);
        Range(errors, "Plugins:DebounceMilliseconds", plugins.DebounceMilliseconds, 0, int.MaxValue);
    }

    private static void ValidateScripts(ScriptOptions scripts, List<string> errors)
    {
        DirectoryPath(errors, "Scripts:Directory", scripts.Directory);
        for (int i = 0; i < scripts.References.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(scripts.References[i]))
            {
                errors.Add($"{Element("Scripts:References", i)} is empty (an assembly name or path)");
            }
        }

        for (int i = 0; i < scripts.Imports.Length; i++)
        {
            if (!IsNamespace(scripts.Imports[i]))
            {
                errors.Add($"{Element("Scripts:Imports", i)} \"{scripts.Imports[i]}\" is not a namespace (like System.Text.Json)");
            }
        }

        Range(errors, "Scripts:DebounceMilliseconds", scripts.DebounceMilliseconds, 0, int.MaxValue);
    }

    private static void Range(List<string> errors, string key, long value, long min, long max, string why = "")
    {
        if (value < min || value > max)
        {
            errors.Add(Invariant($"{key} must be between {min} and {max} (was {value}){why}"));
        }
    }

    private static void Seconds(List<string> errors, string key, double value, bool zeroAllowed)
    {
        // Written so that NaN fails too.
        if (zeroAllowed && !(value >= 0 && value <= LongestSeconds))
        {
            errors.Add(Invariant($"{key} must be between 0 and {LongestSeconds} seconds (was {value})"));
        }
        else if (!zeroAllowed && !(value > 0 && value <= LongestSeconds))
        {
            errors.Add(Invariant($"{key} must be more than 0 and at most {LongestSeconds} seconds (was {value})"));
        }
    }

    private static void FileExists(List<string> errors, string key, string path, GatewayOptions options)
    {
        string full;
        try
        {
            full = options.ResolvePath(path);
        }
        catch (ArgumentException)
        {
            errors.Add($"{key} \"{path}\" is not a valid path");
            return;
        }

        if (!File.Exists(full))
        {
            errors.Add($"{key} file not found: {full}");
        }
    }

    private static void DirectoryPath(List<string> errors, string key, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{key} is empty (a folder, relative to the configuration file's folder)");
        }
        else if (path.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"{key} \"{path}\" is not a valid path");
        }
    }

    /// <summary>
    /// Dotted-quad IPv4 or IPv6 without brackets: <see cref="IPAddress.TryParse(string, out IPAddress)"/> alone also
    /// takes "1" (0.0.0.1) and "[::1]:80" (dropping the port), which are typos rather than addresses.
    /// </summary>
    private static bool IsIpAddress(string text)
    {
        if (!IPAddress.TryParse(text, out var address) || text.Contains('[', StringComparison.Ordinal))
        {
            return false;
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ||
               (text.Count(c => c == '.') == 3 && text.All(c => char.IsAsciiDigit(c) || c == '.'));
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be matched against a request path, or null. Request paths are compared
    /// exactly, without percent-decoding, and never contain the query (RFC 3986 section 3.3).
    /// </summary>
    private static string? PathProblem(string path)
    {
        if (!path.StartsWith('/'))
        {
            return "must start with \"/\"";
        }

        foreach (char c in path)
        {
            if (!IsPathChar(c))
            {
                return c is '?' or '#'
                    ? $"contains \"{c}\"; a route is a path without query or fragment"
                    : $"contains {Describe(c)}, which cannot appear in a request path";
            }
        }

        return null;
    }

    /// <summary>RFC 3986 pchar plus "/": unreserved, sub-delims, ":", "@", and "%" of percent-encoding.</summary>
    private static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || "-._~!$&'()*+,;=:@/%".Contains(c, StringComparison.Ordinal);

    /// <summary>RFC 7230 section 3.2.6 token: one or more tchar.</summary>
    private static bool IsToken(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));

    /// <summary>Dot-separated C# identifiers (letters, digits, underscores; not starting with a digit).</summary>
    private static bool IsNamespace(string name) =>
        name.Length > 0 && name.Split('.').All(part =>
            part.Length > 0 && (char.IsLetter(part[0]) || part[0] == '_') && part.All(c => char.IsLetterOrDigit(c) || c == '_'));

    private static string Element(string key, int index) => Invariant($"{key}[{index}]");

    private static string Describe(char c) =>
        c == ' ' ? "a space"
        : char.IsWhiteSpace(c) || char.IsControl(c) ? Invariant($"the character U+{(int)c:X4}")
        : $"\"{c}\"";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
