namespace WsGateway.Options;

/// <summary>
/// Value equality for the lists in option records: a record compares arrays by reference, so each record that holds
/// one compares it here, element by element (<c>OptionRecordTests</c> checks that every property takes part).
/// </summary>
internal static class OptionLists
{
    public static bool Same<T>(T[] first, T[] second) => first.AsSpan().SequenceEqual(second);

    public static int Hash<T>(T[] list)
    {
        var hash = new HashCode();
        foreach (var item in list)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }
}
