namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// What one fuzz connection sends, and what the gateway must answer to the part of it that is still valid.
/// </summary>
/// <param name="Index">The connection's number in the run (with the seed, enough to regenerate it).</param>
/// <param name="Path">/echo or /.</param>
/// <param name="Bytes">Everything sent after the handshake, already cut into <paramref name="Writes"/> (lengths).</param>
/// <param name="Writes">Lengths of the successive socket writes: frames arrive whole, split or merged.</param>
/// <param name="Frames">How many frames (or garbage runs) the plan holds.</param>
/// <param name="Replies">Data messages the gateway must send back for the valid part, in order.</param>
/// <param name="Pongs">Payloads of the pings in the valid part, in order.</param>
/// <param name="Ending">What the first invalid thing (if any) makes of the connection.</param>
/// <param name="ExpectedCloseCode">The close code the gateway must send: for <see cref="FuzzEnding.Clean"/> 1000 (the
/// client closes with it last), for <see cref="FuzzEnding.Determinate"/> the code the violation calls for.</param>
/// <param name="Steps">A readable log of what was generated, for failure messages.</param>
internal sealed record FuzzPlan(
    int Index,
    string Path,
    byte[] Bytes,
    IReadOnlyList<int> Writes,
    int Frames,
    IReadOnlyList<FuzzReply> Replies,
    IReadOnlyList<byte[]> Pongs,
    FuzzEnding Ending,
    int? ExpectedCloseCode,
    IReadOnlyList<string> Steps)
{
    public bool IsCommandRoute => Path == "/";

    public override string ToString() =>
        $"connection {Index} on {Path}: {Ending} {ExpectedCloseCode}, {Frames} frames, {Bytes.Length} bytes in {Writes.Count} writes\n  " +
        string.Join("\n  ", Steps);
}
