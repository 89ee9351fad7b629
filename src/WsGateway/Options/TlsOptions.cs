namespace WsGateway.Options;

/// <summary>TLS for wss:// and https://. Off unless <see cref="CertificatePath"/> is set.</summary>
public sealed record TlsOptions
{
    /// <summary>A PFX/PKCS#12 file, or a PEM certificate (chain). Relative to the folder of gateway.json.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key, when <see cref="CertificatePath"/> is a PEM without its key.</summary>
    public string? KeyPath { get; set; }

    /// <summary>Password of the PFX file or of an encrypted PEM key.</summary>
    public string? Password { get; set; }

    /// <summary>Time a client has to complete the TLS handshake.</summary>
    public double HandshakeTimeoutSeconds { get; set; } = 5;

    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
