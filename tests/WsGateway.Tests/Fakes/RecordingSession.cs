using System.Net;
using WsGateway.Contracts;

namespace WsGateway.Tests.Fakes;

internal sealed class RecordingSession : ISession
{
    public string Id { get; } = "test-session";

    public IPEndPoint? RemoteEndPoint { get; } = new(IPAddress.Loopback, 50000);

    public DateTimeOffset ConnectedAt { get; init; } = DateTimeOffset.UtcNow;

    public string Path { get; } = "/";

    public IDictionary<string, object?> Items { get; } = new Dictionary<string, object?>();
}
