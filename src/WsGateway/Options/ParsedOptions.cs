namespace WsGateway.Options;

/// <summary>
/// What a feature makes of one options value (trusted networks from <c>Proxies:TrustedProxies</c>, patterns from
/// <c>Origins:Allowed</c>, the authentication methods): made on first use, and again only when a configuration
/// reload brought a new value. Readers on any thread get the current one without a lock.
/// </summary>
/// <remarks>
/// Compared by reference: a reload binds new option objects, so an unchanged reference means unchanged options, and
/// the check costs one comparison per use.
/// </remarks>
internal sealed class ParsedOptions<TSource, TParsed> where TSource : class
{
    private readonly Func<TSource, TParsed> _parse;
    private Snapshot? _snapshot;

    public ParsedOptions(Func<TSource, TParsed> parse) => _parse = parse;

    public TParsed For(TSource source)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot is null || !ReferenceEquals(snapshot.Source, source))
        {
            // Two threads may both parse after a reload; either result is right, and the last one stays.
            snapshot = new Snapshot(source, _parse(source));
            Volatile.Write(ref _snapshot, snapshot);
        }

        return snapshot.Parsed;
    }

    private sealed class Snapshot(TSource source, TParsed parsed)
    {
        public TSource Source { get; } = source;

        public TParsed Parsed { get; } = parsed;
    }
}
