using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Serilog;
using WsGateway.Connections;
using WsGateway.Diagnostics;
using WsGateway.Handshake;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Proxies;
using WsGateway.Transport;

namespace WsGateway.Listening;

/// <summary>
/// Owns the listening socket and the connections it accepted: makes each a transport (plain or TLS), lets the
/// <see cref="UpgradeHandshake"/> answer or upgrade it, runs the upgraded ones, checks their liveness and closes them
/// all on shutdown.
/// </summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    // How long a refused request's client may take to read our answer and hang up.
    private static readonly TimeSpan RefusalLinger = TimeSpan.FromSeconds(1);

    private readonly LiveOptions _options;
    private readonly UpgradeHandshake _handshake;
    private readonly ILogger _log;
    private readonly GatewayMetrics _metrics;
    private readonly BufferBudget _budget;
    private readonly ConnectionLimiter _limiter = new();
    private readonly PendingHandshakes _pending = new();
    private readonly ProxyTrust _proxies;
    private readonly IdleMemoryTrim _trim;
    private readonly X509Certificate2? _certificate;
    // The open connections, each with its slot, which ConnectionEnded gives back.
    private readonly ConcurrentDictionary<WebSocketConnection, ConnectionLimiter.Slot> _connections = new();
    private readonly Action<WebSocketConnection> _connectionEnded;
    // Accepted sockets not yet finished (handshake to close), so shutdown can wait for all of them.
    private readonly TaskCompletionSource _allHandled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _handling;
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _livenessLoop = Task.CompletedTask;

    public GatewayServer(
        LiveOptions options, HttpRouter http, UpgradeDecision decision, GatewayMetrics metrics, X509Certificate2? certificate, ILogger log)
    {
        _metrics = metrics;
        _budget = new BufferBudget(() => options.Current.Limits.MemoryBudgetBytes);
        metrics.WatchBuffers(() => _budget.Used, () => _budget.Refusals);
        _certificate = certificate;
        _options = options;
        _log = log.ForContext<GatewayServer>();
        _trim = new IdleMemoryTrim(_log, () => _connections.Count);
        _proxies = new ProxyTrust(options);
        _handshake = new UpgradeHandshake(options, http, decision, _proxies, metrics, _log);
        _connectionEnded = ConnectionEnded;
    }

    public IPEndPoint LocalEndPoint => (IPEndPoint)(_listener?.LocalEndPoint ?? throw new InvalidOperationException("Not started."));

    public int ConnectionCount => _connections.Count;

    /// <summary>The budget every connection's buffers draw on (<c>Limits:MemoryBudgetBytes</c>).</summary>
    public BufferBudget Budget => _budget;

    /// <summary>
    /// Binds and listens without accepting yet: a port that is taken is found before anything slow starts, and
    /// connections made until <see cref="Start"/> wait in the listen queue. Does nothing when already listening.
    /// </summary>
    /// <exception cref="SocketException">The address cannot be bound (see <see cref="ListenProblem"/>).</exception>
    public void Listen()
    {
        if (_listener is not null)
        {
            return;
        }

        var endPoint = ConfiguredEndPoint;
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            listener.Bind(endPoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }

        _listener = listener;
    }

    /// <summary>The address and port the options ask for (port 0 until bound: the system picks one).</summary>
    public IPEndPoint ConfiguredEndPoint => new(IPAddress.Parse(_options.Current.Listen.Address), _options.Current.Listen.Port);

    /// <summary>Starts accepting connections, listening first if <see cref="Listen"/> was not called.</summary>
    public void Start()
    {
        Listen();
        // Started on the thread pool: the loops, and every connection they start, must not capture the caller's
        // SynchronizationContext (a UI or a test framework embedding the gateway), or each continuation would queue to
        // it instead of running where its socket completed.
        var listener = _listener!;
        _acceptLoop = Task.Run(() => AcceptLoopAsync(listener));
        _livenessLoop = Task.Run(CheckLivenessAsync);
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
            await connection.Route.DrainAsync(connection, "the gateway is shutting down", deadline.Token);
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

                // The dictionary itself, not its Keys: those take every lock and copy all keys, an array of 152 KB a
                // second at 19,000 connections, garbage in the large object heap.
                foreach (var (connection, _) in _connections)
                {
                    connection.CheckLiveness(now);
                }

                _trim.Tick(now);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        int failures = 0;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token);
                failures = 0;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                // Accepts complete on the socket engine's thread, where no log line is written (SocketThread).
                await SocketThread.Leave();
                if (ex.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
                {
                    // The peer gave up before we took its connection: nothing of ours is wrong.
                    _log.Debug("Accept failed: {Error}", ex.SocketErrorCode);
                    continue;
                }

                // Out of file descriptors, or memory: the next accept fails the same way at once, so wait before it
                // rather than spin and log in a tight loop; connections waiting in the backlog are taken after.
                var pause = AcceptPause(++failures);
                _log.Warning("Accept failed: {Error}; accepting again in {PauseMilliseconds} ms", ex.SocketErrorCode, pause.TotalMilliseconds);
                try
                {
                    await Task.Delay(pause, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            int maxPending = _options.Current.Limits.MaxPendingHandshakes;
            if (!_pending.TryEnter(maxPending))
            {
                await RefuseAsync(socket, maxPending);
                continue;
            }

            Interlocked.Increment(ref _handling);
            // Handed off, not called: a call would run the handshake on this loop until its first wait, and with the
            // request already there that can be all of it, a slow or blocking authenticator included, while no other
            // socket is accepted. Nor, under inline completions, on the socket engine's thread that completed the accept.
            ThreadPool.UnsafeQueueUserWorkItem(static state => _ = state.Server.HandleAsync(state.Socket), (Server: this, Socket: socket), preferLocal: false);
        }
    }

    /// <summary>How long to wait after the <paramref name="failures"/>th accept failure in a row: 50 ms, doubling, at most 1 s.</summary>
    internal static TimeSpan AcceptPause(int failures) =>
        TimeSpan.FromMilliseconds(Math.Min(1000, 50 << Math.Clamp(failures - 1, 0, 5)));

    /// <summary>
    /// Closes a socket past <c>Limits:MaxPendingHandshakes</c> before reading a byte, with a reset: an orderly close
    /// would leave the gateway's side in TIME_WAIT for every socket of a flood. Logged at most once per
    /// <see cref="PendingHandshakes.LogInterval"/>; the metric counts every one.
    /// </summary>
    private async ValueTask RefuseAsync(Socket socket, int maxPending)
    {
        socket.Close(timeout: 0);
        _metrics.HandshakeFailed("pending_handshakes");
        if (_pending.Refuse(Environment.TickCount64) is var refused and > 0)
        {
            await SocketThread.Leave();
            _log.Warning(
                "Closed {Refused} new connections at once since this was last logged: {MaxPendingHandshakes} handshakes were pending (Limits:MaxPendingHandshakes)",
                refused, maxPending);
        }
    }

    private async Task HandleAsync(Socket socket)
    {
        // The connection's one claim on the limits: taken in the handshake, given back however it ends: here, or by
        // ConnectionEnded once the connection runs.
        var slot = _limiter.NewSlot();
        bool handshaking = true;
        bool running = false;
        try
        {
            var remote = socket.RemoteEndPoint as IPEndPoint;
            if (_proxies.ExpectsProxyHeader(remote))
            {
                remote = await ReceiveProxyHeaderAsync(socket, remote);
                if (remote is null)
                {
                    socket.Dispose();
                    return;
                }
            }

            var transport = _certificate is null
                ? TransportConnection.Accept(socket, _budget, _metrics)
                : await AcceptTlsAsync(socket, remote);
            if (transport is null)
            {
                return;
            }

            WebSocketConnection? connection = null;
            try
            {
                connection = await _handshake.RunAsync(transport, remote, slot, _stopping.Token);
            }
            catch (Exception ex)
            {
                await SocketThread.Leave();
                _log.Debug(ex, "Request from {RemoteAddress} dropped", remote);
            }

            // Upgraded, answered or dropped: no longer a pending handshake (a refused client's linger below is not one).
            handshaking = false;
            _pending.Exit();
            if (connection is null)
            {
                await transport.CloseAsync(RefusalLinger, _stopping.Token);
                await transport.DisposeAsync();
                return;
            }

            // The run reports its end to ConnectionEnded rather than being awaited here: an idle connection then keeps
            // no state machine of this method alive (192 bytes each). Listed before it starts, as it may end at once.
            _connections[connection] = slot;
            _metrics.ConnectionOpened();
            running = true;
            _ = connection.RunAsync(_connectionEnded);
            if (_stopping.IsCancellationRequested)
            {
                // Upgraded while StopAsync was taking its snapshot of open connections: close it like the others.
                _ = connection.CloseAsync(CloseStatus.GoingAway, "server shutting down").AsTask();
            }
        }
        finally
        {
            if (handshaking)
            {
                _pending.Exit();
            }

            if (!running)
            {
                slot.Dispose();
                HandlingEnded();
            }
        }
    }

    /// <summary>A connection's run is over: what <see cref="HandleAsync"/> would have done after awaiting it.</summary>
    private void ConnectionEnded(WebSocketConnection connection)
    {
        _connections.TryRemove(connection, out var slot);
        _metrics.ConnectionClosed();
        _trim.ConnectionClosed();
        slot?.Dispose();
        HandlingEnded();
    }

    private void HandlingEnded()
    {
        // The last socket to finish while stopping tells StopAsync.
        if (Interlocked.Decrement(ref _handling) == 0 && _stopping.IsCancellationRequested)
        {
            _allHandled.TrySetResult();
        }
    }

    /// <returns>The client the trusted proxy's PROXY header names (the proxy itself for LOCAL), or null to close.</returns>
    private async Task<IPEndPoint?> ReceiveProxyHeaderAsync(Socket socket, IPEndPoint? proxy)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.Current.Limits.HandshakeTimeoutSeconds));
        ProxyHeader? header;
        string? problem;
        try
        {
            (header, problem) = await ProxyHeaderReceiver.ReceiveAsync(socket, timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            (header, problem) = (null, ex is OperationCanceledException ? "no whole PROXY header in time" : ex.Message);
        }

        // The header's bytes may have arrived on the socket engine's thread; TLS, the handshake and the log line are not for it.
        await SocketThread.Leave();
        if (header is { } found)
        {
            return found.Source ?? proxy;
        }

        _metrics.HandshakeFailed("proxy", proxy);
        _log.Information("Connection from trusted proxy {RemoteAddress} closed: {Problem} (Proxies:ProxyProtocol)", proxy, problem);
        return null;
    }

    private async Task<TransportConnection?> AcceptTlsAsync(Socket socket, IPEndPoint? remote)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.Current.Tls.HandshakeTimeoutSeconds));
        try
        {
            return await TransportConnection.AcceptTlsAsync(socket, _certificate!, _budget, _metrics, timeout.Token);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            // The failure surfaces where it was seen: perhaps where the socket reported it.
            await SocketThread.Leave();
            _metrics.HandshakeFailed("tls", remote);
            _log.Debug("TLS handshake with {RemoteAddress} failed: {Error}", remote, ex.Message);
            socket.Dispose();
            return null;
        }
    }
}
