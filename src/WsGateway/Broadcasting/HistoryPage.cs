namespace WsGateway.Broadcasting;

/// <summary>What a read of a group's history found.</summary>
/// <param name="Epoch">The history's epoch now.</param>
/// <param name="Last">The offset of the group's last message in that epoch (0 before the first).</param>
/// <param name="Entries">The messages read, oldest first.</param>
/// <param name="Complete">
/// True when every message after the position read from is among <paramref name="Entries"/>: none was dropped for size
/// or age, and the limit did not cut them short.
/// </param>
/// <param name="SameEpoch">True when the position read from was of this epoch (always true for a read without one).</param>
internal sealed record HistoryPage(string Epoch, long Last, IReadOnlyList<HistoryEntry> Entries, bool Complete, bool SameEpoch);
