namespace WsGateway.Options;

/// <summary>
/// Groups that keep their recent messages, so that a client back from a short disconnection gets what it missed
/// (docs/protocol.md, "History and recovery"). Off by default. Read at startup.
/// </summary>
public sealed record HistoryOptions
{
    /// <summary>Which groups keep a history, and how much; the first pattern that matches a group wins. Empty: none.</summary>
    public HistoryGroupOptions[] Groups { get; set; } = [];

    public bool Equals(HistoryOptions? other) => other is not null && OptionLists.Same(Groups, other.Groups);

    public override int GetHashCode() => OptionLists.Hash(Groups);
}

/// <summary>One rule of <see cref="HistoryOptions.Groups"/>.</summary>
public sealed record HistoryGroupOptions
{
    /// <summary>A group name (<c>lobby</c>), or a prefix and <c>*</c> (<c>room:*</c>).</summary>
    public string Pattern { get; set; } = "";

    /// <summary>The most messages kept per group; older ones are dropped first.</summary>
    public int Size { get; set; } = 100;

    /// <summary>How long a message is kept.</summary>
    public double TtlSeconds { get; set; } = 300;
}
