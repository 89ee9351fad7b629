using System.Security.Cryptography.X509Certificates;
using WsGateway.Options;

namespace WsGateway.Listening;

/// <summary>Loads the server certificate named by <see cref="TlsOptions"/>: PFX/PKCS#12, or PEM with its key.</summary>
internal static class CertificateLoader
{
    public static X509Certificate2? Load(GatewayOptions options)
    {
        var tls = options.Tls;
        if (!tls.Enabled)
        {
            return null;
        }

        var certificatePath = options.ResolvePath(tls.CertificatePath!);
        var extension = Path.GetExtension(certificatePath);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(certificatePath, tls.Password);
        }

        var keyPath = tls.KeyPath is null ? null : options.ResolvePath(tls.KeyPath);
        var certificate = string.IsNullOrEmpty(tls.Password)
            ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
            : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, tls.Password, keyPath);

        // PEM keys are ephemeral; exporting to PKCS#12 and back gives SslStream a key it can use on every platform.
        using (certificate)
        {
            return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
        }
    }
}
