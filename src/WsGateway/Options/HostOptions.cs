namespace WsGateway.Options;

/// <summary>Which host names requests may be addressed to: the defence against DNS rebinding.</summary>
public sealed record HostOptions
{
    /// <summary>
    /// Allowed values of the Host header, compared case-insensitively: <c>name</c> (any port), <c>name:port</c>,
    /// <c>*.example.com</c> (its subdomains) or <c>*</c> (any). Empty: <c>localhost</c>, <c>127.0.0.1</c> and
    /// <c>[::1]</c> when listening on a loopback address, and any host otherwise (with a warning at startup).
    /// </summary>
    public string[] Allowed { get; set; } = [];

    public bool Equals(HostOptions? other) =>
        other is not null
        && OptionLists.Same(Allowed, other.Allowed);

    public override int GetHashCode() => OptionLists.Hash(Allowed);
}
