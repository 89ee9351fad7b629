namespace WsGateway.Options;

public sealed record EchoOptions
{
    /// <summary>Paths that echo every text and binary message unchanged.</summary>
    public string[] Paths { get; set; } = ["/echo"];

    public bool Equals(EchoOptions? other) =>
        other is not null
        && OptionLists.Same(Paths, other.Paths);

    public override int GetHashCode() => OptionLists.Hash(Paths);
}
