namespace WsGateway.Options;

/// <summary>
/// Which pages may open WebSocket connections (cross-site WebSocket hijacking protection). Checked before the upgrade;
/// refused origins get 403.
/// </summary>
public sealed record OriginOptions
{
    /// <summary>
    /// Allowed origins, compared case-insensitively: <c>self</c> (the gateway's own origin, from the Host header),
    /// <c>scheme://host</c> (any port), <c>scheme://host:port</c>, <c>null</c> (pages opened from a file),
    /// or <c>*</c> (every origin: an explicit opt-in).
    /// </summary>
    public string[] Allowed { get; set; } =
        ["self", "http://localhost", "https://localhost", "http://127.0.0.1", "https://127.0.0.1", "http://[::1]", "https://[::1]"];

    /// <summary>Whether clients that send no Origin header (programs, not browsers) may connect.</summary>
    public bool AllowMissing { get; set; } = true;

    public bool Equals(OriginOptions? other) =>
        other is not null
        && OptionLists.Same(Allowed, other.Allowed)
        && AllowMissing == other.AllowMissing;

    public override int GetHashCode() => HashCode.Combine(OptionLists.Hash(Allowed), AllowMissing);
}
