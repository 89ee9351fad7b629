namespace WsGateway.IntegrationTests.Hostile;

/// <summary>What the gateway did on one fuzz connection.</summary>
/// <param name="BeforeClose">Every frame the gateway sent before its close frame (or before TCP ended).</param>
/// <param name="CloseCode">The code of the gateway's close frame; 1005 for an empty one; null when none came.</param>
/// <param name="AfterClose">Frames after the close frame: there must be none.</param>
/// <param name="End">How TCP ended: <c>eof</c> (FIN), <c>reset</c> (RST or a failed read) or <c>timeout</c> (still open).</param>
/// <param name="Problem">A malformed server frame or a failed handshake, when there was one.</param>
internal sealed record FuzzOutcome(
    IReadOnlyList<ServerFrame> BeforeClose,
    int? CloseCode,
    IReadOnlyList<ServerFrame> AfterClose,
    string End,
    string? Problem)
{
    public override string ToString() =>
        $"close {CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, TCP {End}, " +
        $"{BeforeClose.Count} frames before close ({string.Join(", ", BeforeClose.Select(f => $"op{f.Opcode}:{f.Payload.Length}"))}), " +
        $"{AfterClose.Count} after{(Problem is null ? "" : $"; {Problem}")}";
}
