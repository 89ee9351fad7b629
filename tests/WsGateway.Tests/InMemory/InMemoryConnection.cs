using Serilog;
using WsGateway.Connections;
using WsGateway.Contracts;
using WsGateway.Diagnostics;
using WsGateway.Options;
using WsGateway.Tests.Scripts;
using WsGateway.Transport;

namespace WsGateway.Tests.InMemory;

/// <summary>
/// An upgraded <see cref="WebSocketConnection"/> running on an <see cref="InMemoryTransport"/>, built as
/// <c>UpgradeHandshake</c> builds it, with the test as its client. Its receive loop runs from the start.
/// </summary>
internal sealed class InMemoryConnection : IAsyncDisposable
{
    private InMemoryConnection(
        InMemoryTransport client, WebSocketConnection connection, IWebSocketRoute route, LiveOptions options, GatewayMetrics metrics, CollectingSink log)
    {
        Client = client;
        Connection = connection;
        Route = route;
        Options = options;
        Metrics = metrics;
        Log = log;

        // No 101 queued: the handshake is not under test, and the client reads frames from the first byte.
        Run = connection.RunAsync();
    }

    public InMemoryTransport Client { get; }

    public WebSocketConnection Connection { get; }

    public IWebSocketRoute Route { get; }

    public LiveOptions Options { get; }

    public GatewayMetrics Metrics { get; }

    /// <summary>The memory budget (<c>Limits:MemoryBudgetBytes</c>) the connection's buffers draw on.</summary>
    public BufferBudget Budget => Client.Server.Budget;

    /// <summary>What the connection and its route logged.</summary>
    public CollectingSink Log { get; }

    /// <summary><see cref="WebSocketConnection.RunAsync"/>: completes when the connection is gone.</summary>
    public Task Run { get; }

    /// <param name="route">Makes the route from the connection's options and metrics (a <c>CommandRoute</c> needs both).</param>
    /// <param name="configure">Changes the options from their defaults.</param>
    /// <param name="identity">The caller; anonymous by default.</param>
    public static InMemoryConnection Start(
        Func<LiveOptions, GatewayMetrics, IWebSocketRoute> route, Action<GatewayOptions>? configure = null, CallerIdentity? identity = null)
    {
        var gatewayOptions = new GatewayOptions();
        configure?.Invoke(gatewayOptions);
        var options = new LiveOptions(gatewayOptions);
        var metrics = new GatewayMetrics();
        var sink = new CollectingSink();
        var log = new LoggerConfiguration().MinimumLevel.Verbose().WriteTo.Sink(sink).CreateLogger();
        // One budget for this connection alone, read from the options as the gateway reads its own.
        var client = new InMemoryTransport(metrics, budget: new BufferBudget(() => options.Current.Limits.MemoryBudgetBytes));
        var theRoute = route(options, metrics);
        var connection = new WebSocketConnection(
            "in-memory-1", client.Server, client.Server.RemoteEndPoint, "/", subprotocol: null, deflate: null,
            identity ?? CallerIdentity.Anonymous, options, theRoute, metrics, log);
        return new InMemoryConnection(client, connection, theRoute, options, metrics, sink);
    }

    public static InMemoryConnection Start(IWebSocketRoute route, Action<GatewayOptions>? configure = null, CallerIdentity? identity = null) =>
        Start((_, _) => route, configure, identity);

    /// <summary>Waits for the connection to be gone (with <see cref="InMemoryTransport.Patience"/> as a guard).</summary>
    public Task EndedAsync() => Run.WaitAsync(InMemoryTransport.Patience);

    /// <summary>
    /// Answers the server's close frame (already read) as a well-behaved client does: echoes it, reads to the end of
    /// the server's side, and ends its own.
    /// </summary>
    /// <returns>Whether the server ended its side with an abort rather than a FIN, and any frames after the close.</returns>
    public async Task<(List<ServerFrame> After, bool Aborted)> AnswerCloseAsync(int code)
    {
        await Client.SendCloseAsync(code);
        var end = await Client.ReadToEndAsync();
        await Client.CompleteWritesAsync();
        await EndedAsync();
        return end;
    }

    /// <summary>The messages of the error events logged so far, for assertion messages.</summary>
    public string LoggedErrors() => string.Join(
        "; ", Log.Events.Where(e => e.Level >= Serilog.Events.LogEventLevel.Error).Select(e => e.RenderMessage() + " " + e.Exception?.GetType().Name));

    public async ValueTask DisposeAsync()
    {
        Connection.Abort();
        await EndedAsync();
        await Client.DisposeAsync();
    }
}
