namespace WsGateway.IntegrationTests.Hostile;

/// <summary>How a fuzz connection's bytes end, as far as the gateway's answer can be predicted.</summary>
internal enum FuzzEnding
{
    /// <summary>Everything was valid; the client waits for its replies and closes with 1000.</summary>
    Clean,

    /// <summary>
    /// A violation with one right answer (reserved opcode → 1002, invalid UTF-8 → 1007, too long → 1009, binary on the
    /// command route → 1003, ...), followed by more bytes the gateway must not act on.
    /// </summary>
    Determinate,

    /// <summary>
    /// A truncated frame, garbage or a flipped bit: what follows is parsed from a shifted position, so only the set
    /// of acceptable endings is known.
    /// </summary>
    Indeterminate,
}
