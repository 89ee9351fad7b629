using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Serilog;
using WsGateway.Diagnostics;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Connections;

/// <summary>
/// Owns the listening socket: accepts, reads the request head, answers plain HTTP or upgrades to a
/// <see cref="WebSocketConnection"/> on the route named by the request path.
/// </summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    // How long a refused request's client may take to read our answer and hang up.
    private static readonly TimeSpan RefusalLinger = TimeSpan.FromSeconds(1);

    private readonly LiveOptions _options;
    private readonly HttpRouter _http;
    private readonly IReadOnlyDictionary<string, IWebSocketRoute> _routes;
    private readonly IReadOnlyList<IHandshakePolicy> _policies;
    private readonly ILogger _log;
    private readonly GatewayMetrics _metrics;
    private readonly ConnectionLimiter _limiter = new();
    private readonly X509Certificate2? _certificate;
    private readonly ConcurrentDictionary<WebSocketConnection, Task> _connections = new();
    // Accepted sockets not yet finished (handshake to close), so shutdown can wait for all of them.
    private readonly TaskCompletionSource _allHandled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _handling;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _livenessLoop = Task.CompletedTask;
    private long _nextId;

    public GatewayServer(
        LiveOptions options, HttpRouter http, IReadOnlyDictionary<string, IWebSocketRoute> routes,
        IReadOnlyList<IHandshakePolicy> policies, GatewayMetrics metrics, X509Certificate2? certificate, ILogger log)
    {
        _metrics = metrics;
        _certificate = certificate;
        _options = options;
        _http = http;
        _routes = routes;
        _policies = policies;
        _log = log.ForContext<GatewayServer>();
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("Not started."));

    public int ConnectionCount => _connections.Count;

    public void Start()
    {
        var address = IPAddress.Parse(_options.Current.Listen.Address);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(new IPEndPoint(address, _options.Current.Listen.Port));
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
        _acceptLoop = AcceptLoopAsync(listener);
        _livenessLoop = CheckLivenessAsync();
    }

    /// <summary>
    /// Stops accepting, lets routes finish accepted work, sends 1001 to every connection and waits for their close
    /// handshakes, all within <paramref name="drain"/>; whatever is left is then dropped.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop;
        await _livenessLoop;
        if (Volatile.Read(ref _handling) == 0)
        {
            _allHandled.TrySetResult();
        }

        using var deadline = new CancellationTokenSource(drain);
        var open = _connections.Keys.ToArray();
        await Task.WhenAll(open.Select(async connection =>
        {
            try
            {
                await connection.Route.DrainAsync(connection, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // Drain time is up; close anyway.
            }

            await connection.CloseAsync(CloseStatus.GoingAway, "server shutting down");
        }));

        try
        {
            await _allHandled.Task.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _log.Warning("Drain time over with {Count} connections still open; dropping them", _connections.Count);
        }

        foreach (var connection in _connections.Keys)
        {
            connection.Abort();
        }

        await _allHandled.Task;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.Zero);
        _stopping.Dispose();
    }

    /// <summary>One timer for all connections: keepalive and idle checks need second, not millisecond, precision.</summary>
    private async Task CheckLivenessAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                long now = Environment.TickCount64;
                foreach (var connection in _connections.Keys)
                {
                    connection.CheckLiveness(now);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Transient (e.g. the peer reset before accept, or out of file descriptors): keep serving.
                _log.Warning("Accept failed: {Error}", ex.SocketErrorCode);
                continue;
            }

            Interlocked.Increment(ref _handling);
            _ = HandleAsync(socket);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        try
        {
            var remote = socket.RemoteEndPoint as IPEndPoint;
            var transport = _certificate is null
                ? TransportConnection.Accept(socket, _metrics)
                : await AcceptTlsAsync(socket, remote);
            if (transport is null)
            {
                return;
            }

            WebSocketConnection? connection = null;
            byte[]? switchingProtocols = null;
            try
            {
                (connection, switchingProtocols) = await HandshakeAsync(transport, remote);
            }
            catch (Exception ex)
            {
                _log.Debug(ex, "Request from {RemoteAddress} dropped", remote);
            }

            if (connection is null)
            {
                await transport.CloseAsync(RefusalLinger, _stopping.Token);
                await transport.DisposeAsync();
                return;
            }

            var run = connection.RunAsync(switchingProtocols!);
            _connections[connection] = run;
            _metrics.ConnectionOpened();
            if (_stopping.IsCancellationRequested)
            {
                // Upgraded while StopAsync was taking its snapshot of open connections: close it like the others.
                _ = connection.CloseAsync(CloseStatus.GoingAway, "server shutting down").AsTask();
            }

            try
            {
                await run;
            }
            finally
            {
                _connections.TryRemove(connection, out _);
                _limiter.Release(remote?.Address);
                _metrics.ConnectionClosed();
            }
        }
        finally
        {
            // The last socket to finish while stopping tells StopAsync.
            if (Interlocked.Decrement(ref _handling) == 0 && _stopping.IsCancellationRequested)
            {
                _allHandled.TrySetResult();
            }
        }
    }

    private async Task<TransportConnection?> AcceptTlsAsync(Socket socket, IPEndPoint? remote)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.Current.Tls.HandshakeTimeoutSeconds));
        try
        {
            return await TransportConnection.AcceptTlsAsync(socket, _certificate!, _metrics, timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            _metrics.HandshakeFailed("tls");
            _log.Debug("TLS handshake with {RemoteAddress} failed: {Error}", remote, ex.Message);
            socket.Dispose();
            return null;
        }
    }

    /// <returns>The upgraded connection, or null when the request was answered over plain HTTP or dropped.</returns>
    private async Task<(WebSocketConnection? Connection, byte[]? SwitchingProtocols)> HandshakeAsync(TransportConnection transport, IPEndPoint? remote)
    {
        var options = _options.Current;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Limits.HandshakeTimeoutSeconds));
        HttpRequestHead? request;
        try
        {
            request = await ReadRequestHeadAsync(transport, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _metrics.HandshakeFailed("timeout");
            _log.Debug("Handshake from {RemoteAddress} timed out", remote);
            return (null, null);
        }

        if (request is null)
        {
            return (null, null);
        }

        var validation = WebSocketHandshake.Validate(request);
        if (validation.Outcome == HandshakeOutcome.NotUpgrade)
        {
            await RespondAsync(transport, await _http.RouteAsync(request), request.Method == "HEAD");
            return (null, null);
        }

        var (refusal, reason) = validation.Outcome switch
        {
            HandshakeOutcome.Accept => (null, null),
            HandshakeOutcome.UpgradeRequired => (UpgradeRequired(validation.Reason), "version"),
            HandshakeOutcome.ObsoleteDraft => (UpgradeRequired(validation.Reason), "draft76"),
            HandshakeOutcome.MethodNotAllowed => (HttpResponse.Text(405, validation.Reason ?? "WebSocket upgrades use GET.", [new("Allow", "GET")]), "method"),
            _ => (HttpResponse.Text(400, validation.Reason ?? "Bad WebSocket request."), "bad_request"),
        };

        IWebSocketRoute? route = null;
        if (refusal is null && !_routes.TryGetValue(request.Path, out route))
        {
            (refusal, reason) = (HttpResponse.Text(404, $"No WebSocket route at {request.Path}."), "not_found");
        }

        for (int i = 0; refusal is null && i < _policies.Count; i++)
        {
            refusal = await _policies[i].CheckAsync(request, remote, timeout.Token);
            reason = _policies[i].Name;
        }

        if (refusal is null && _limiter.TryAcquire(remote?.Address, options.Limits) is { } full)
        {
            (refusal, reason) = (HttpResponse.Text(503, full, [new("Retry-After", "5")]), "capacity");
        }

        if (refusal is not null)
        {
            _metrics.HandshakeFailed(reason!);
            _log.Information("Upgrade from {RemoteAddress} for {Path} refused with {Status}: {Reason}",
                remote, request.Path, refusal.Status, reason);
            await RespondAsync(transport, refusal, headOnly: false);
            return (null, null);
        }

        // From here the slot is released when the connection ends (HandleAsync), whatever happens to the 101.
        var subprotocol = route!.SelectSubprotocol(WebSocketHandshake.GetOfferedSubprotocols(request));
        var accept = WebSocketHandshake.ComputeAccept(request.GetHeader("Sec-WebSocket-Key")!);
        var id = Interlocked.Increment(ref _nextId).ToString("x6", CultureInfo.InvariantCulture);
        _log.Debug("Connection {SessionId} from {RemoteAddress} opened on {Path}", id, remote, request.Path);
        return (new WebSocketConnection(id, transport, request.Path, subprotocol, _options, route, _metrics, _log),
            HttpResponseWriter.SwitchingProtocols(accept, subprotocol));
    }

    /// <summary>One response, then the connection closes (every plain HTTP answer says <c>Connection: close</c>).</summary>
    private static ValueTask RespondAsync(TransportConnection transport, HttpResponse response, bool headOnly)
    {
        HttpResponseWriter.Write(transport.Output, response, headOnly);
        transport.CommitOutput();
        return transport.SendAsync();
    }

    private static HttpResponse UpgradeRequired(string? reason) => HttpResponse.Text(
        426, reason ?? "This server speaks WebSocket version 13 (RFC 6455).",
        [new("Sec-WebSocket-Version", WebSocketHandshake.SupportedVersion)]);

    private async Task<HttpRequestHead?> ReadRequestHeadAsync(TransportConnection transport, CancellationToken cancellationToken)
    {
        var input = transport.Input;
        int maxBytes = _options.Current.Limits.MaxHandshakeBytes;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var status = RequestHeadReader.TryFindHead(buffer, maxBytes, out int headLength);
            if (status == HeadReadStatus.Complete)
            {
                var head = ArrayPool<byte>.Shared.Rent(headLength);
                try
                {
                    buffer.Slice(0, headLength).CopyTo(head);
                    input.AdvanceTo(buffer.GetPosition(headLength));
                    if (HandshakeParser.TryParse(head.AsSpan(0, headLength), out var request, out var error))
                    {
                        return request;
                    }

                    _metrics.HandshakeFailed("bad_request");
                    await RespondAsync(transport, HttpResponse.Text(400, error ?? "Malformed request."), headOnly: false);
                    return null;
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(head);
                }
            }

            if (status == HeadReadStatus.TooLarge)
            {
                input.AdvanceTo(buffer.End);
                _metrics.HandshakeFailed("too_large");
                await RespondAsync(transport, HttpResponse.Text(431, $"Request head larger than {maxBytes} bytes."), headOnly: false);
                return null;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return null;
            }
        }
    }
}
