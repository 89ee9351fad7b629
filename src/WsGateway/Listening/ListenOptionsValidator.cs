using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using WsGateway.Options;

namespace WsGateway.Listening;

/// <summary>Checks <c>Listen</c> and <c>Tls</c>.</summary>
internal static class ListenOptionsValidator
{
    public static void Validate(GatewayOptions options, OptionProblems problems)
    {
        var listen = options.Listen;
        if (!IsIpAddress(listen.Address))
        {
            var hint = listen.Address.Equals("localhost", StringComparison.OrdinalIgnoreCase) ? " (use 127.0.0.1 or ::1)" : "";
            problems.Add($"Listen:Address \"{listen.Address}\" is not an IP address{hint}");
        }

        problems.Range("Listen:Port", listen.Port, IPEndPoint.MinPort, IPEndPoint.MaxPort);
        ValidateTls(options, problems);
    }

    private static void ValidateTls(GatewayOptions options, OptionProblems problems)
    {
        var tls = options.Tls;
        int before = problems.Count;
        if (tls.Enabled)
        {
            problems.FileExists("Tls:CertificatePath", tls.CertificatePath!, options);
        }

        if (!string.IsNullOrWhiteSpace(tls.KeyPath))
        {
            if (!tls.Enabled)
            {
                problems.Add("Tls:KeyPath is set but Tls:CertificatePath is not (TLS needs the certificate)");
            }
            else
            {
                problems.FileExists("Tls:KeyPath", tls.KeyPath, options);
            }
        }

        if (tls.Enabled && problems.Count == before)
        {
            CertificateLoads(options, problems);
        }

        problems.Seconds("Tls:HandshakeTimeoutSeconds", tls.HandshakeTimeoutSeconds, zeroAllowed: false);
    }

    /// <summary>
    /// Loads the certificate as the gateway will: a wrong password, a PEM without its key or a corrupt file is a
    /// mistake in the configuration and is reported with the others, not as a crash on startup.
    /// </summary>
    private static void CertificateLoads(GatewayOptions options, OptionProblems problems)
    {
        try
        {
            using var certificate = CertificateLoader.Load(options);
            if (certificate is { HasPrivateKey: false })
            {
                problems.Add($"Tls:CertificatePath \"{options.Tls.CertificatePath}\" has no private key (set Tls:KeyPath to the PEM key)");
            }
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"Tls:CertificatePath \"{options.Tls.CertificatePath}\" cannot be loaded: {ex.Message.TrimEnd('.')}");
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
}
