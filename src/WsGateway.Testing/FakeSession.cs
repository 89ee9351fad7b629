using System.Globalization;
using System.Net;
using WsGateway.Contracts;

namespace WsGateway.Testing;

/// <summary>
/// A session for unit tests: anonymous, connected now to <c>/</c> from 127.0.0.1, unless the test says otherwise.
/// Its <see cref="Groups"/> follow the joins and leaves of the fake contexts that run with it, and its
/// <see cref="Items"/> keep state between commands as a real session's do.
/// </summary>
public sealed class FakeSession : ISession
{
    private static long s_lastId = 0x7e57_0000_0000_0000;

    private readonly Lock _gate = new();
    private readonly HashSet<string> _groups = new(StringComparer.Ordinal);

    /// <summary>Sixteen hex digits, different for every fake session of the process unless set.</summary>
    public string Id { get; init; } = Interlocked.Increment(ref s_lastId).ToString("x16", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public IPEndPoint? RemoteEndPoint { get; init; } = new(IPAddress.Loopback, 50000);

    /// <inheritdoc/>
    public DateTimeOffset ConnectedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <inheritdoc/>
    public string Path { get; init; } = "/";

    /// <inheritdoc/>
    public CallerIdentity Identity { get; init; } = CallerIdentity.Anonymous;

    /// <inheritdoc/>
    public IReadOnlyCollection<string> Groups
    {
        get
        {
            lock (_gate)
            {
                return [.. _groups];
            }
        }
    }

    /// <inheritdoc/>
    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();

    /// <summary>A session authenticated as <paramref name="user"/> (by the method <c>test</c>) with <paramref name="roles"/>.</summary>
    public static FakeSession Authenticated(string user, params string[] roles) =>
        new() { Identity = new CallerIdentity(user, "test", roles) };

    internal bool IsIn(string group)
    {
        lock (_gate)
        {
            return _groups.Contains(group);
        }
    }

    internal void Join(string group)
    {
        lock (_gate)
        {
            _groups.Add(group);
        }
    }

    internal void Leave(string group)
    {
        lock (_gate)
        {
            _groups.Remove(group);
        }
    }
}
