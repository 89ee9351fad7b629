using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace WsGateway.Client;

/// <summary>
/// A connection to a command route of WsGateway in its <c>wsgateway.v1</c> protocol (docs/protocol.md), kept up until
/// disposed: calls that complete once with their replies or fail with the gateway's error code, events by name,
/// groups joined again after every reconnect, and a refused token reported as <see cref="AuthenticationException"/>
/// rather than retried. Thread-safe.
/// </summary>
public sealed class GatewayClient : IAsyncDisposable
{
    /// <summary>The subprotocol the client asks for.</summary>
    public const string Protocol = "wsgateway.v1";

    // The gateways to connect to, tried in turn after a connection fails or is lost; _endpoint is the current one's index.
    private readonly Uri[] _endpoints;
    private int _endpoint;
    private readonly GatewayClientOptions _options;
    private readonly ConcurrentDictionary<long, PendingCall> _calls = new();
    private readonly ConcurrentDictionary<string, byte> _groups = new(StringComparer.Ordinal);

    // Per group that keeps a history: the position of the last event handled, to resume from after a reconnect; and the
    // groups being recovered, whose live events wait until the missed ones are delivered. Both under _deliveries.
    private readonly Dictionary<string, (long Offset, string Epoch)> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<GatewayEvent>> _recovering = new(StringComparer.Ordinal);
    private readonly Lock _deliveries = new();
    private readonly List<(string Name, Action<GatewayEvent> Handler)> _handlers = [];
    private readonly SemaphoreSlim _sending = new(1, 1);
    private readonly CancellationTokenSource _disposed = new();
    private TaskCompletionSource<Welcome> _open = NewOpen();
    private ClientWebSocket? _socket;
    private Task _run = Task.CompletedTask;
    private string? _token;
    private long _nextId;
    private volatile bool _closing;

    private GatewayClient(Uri[] endpoints, GatewayClientOptions options)
    {
        _endpoints = endpoints;
        _options = options;
        _token = options.Token;
    }

    /// <summary>The last welcome; null until the first.</summary>
    public Welcome? Welcome { get; private set; }

    /// <summary>Where the client is: connecting, open, reconnecting or closed.</summary>
    public GatewayClientState State { get; private set; } = GatewayClientState.Connecting;

    /// <summary>The groups joined again after a reconnect.</summary>
    public IReadOnlyCollection<string> Groups => [.. _groups.Keys];

    /// <summary>Raised on every change of <see cref="State"/>, on the client's receive thread.</summary>
    public event Action<GatewayClientState>? StateChanged;

    /// <summary>
    /// After a reconnect, for each group that keeps a history (docs/protocol.md): whether every message it missed was
    /// raised (as events, before the live ones). <see cref="RecoveryResult.Recovered"/> false: reload the group's state.
    /// </summary>
    public event Action<RecoveryResult>? Recovered;

    /// <summary>
    /// A group's kept messages (<c>History:Groups</c>; for its members), the newest up to <paramref name="limit"/>: the
    /// reply's JSON, <c>{group, epoch, offset, messages}</c>.
    /// </summary>
    public async Task<JsonElement> HistoryAsync(string group, int? limit = null, CancellationToken cancellationToken = default)
    {
        var replies = await CallAsync("history", data: limit is { } n ? new { group, limit = n } : new { group }, cancellationToken: cancellationToken);
        return replies[0].Data ?? throw new CallException("failed", "history answered without data");
    }

    /// <summary>Connects and waits for the gateway's welcome; the client then keeps the connection up until disposed.</summary>
    /// <exception cref="AuthenticationException">The credentials were refused.</exception>
    public static Task<GatewayClient> ConnectAsync(Uri uri, GatewayClientOptions? options = null, CancellationToken cancellationToken = default) =>
        ConnectAsync([uri], options, cancellationToken);

    /// <summary>
    /// Connects to the first of <paramref name="endpoints"/> (gateways of one cluster) and waits for the welcome; each
    /// attempt after a failed or lost connection tries the next one, so that clients of a gateway that went down move to
    /// another. The client then keeps a connection up until disposed.
    /// </summary>
    /// <exception cref="AuthenticationException">The credentials were refused.</exception>
    public static async Task<GatewayClient> ConnectAsync(IReadOnlyList<Uri> endpoints, GatewayClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(endpoints.Count);
        var client = new GatewayClient([.. endpoints], options ?? new GatewayClientOptions());
        client._run = client.RunAsync();
        try
        {
            await client._open.Task.WaitAsync(cancellationToken);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a command; completes with its replies when the gateway says the call ended.</summary>
    /// <exception cref="CallException">The call failed: see <see cref="CallException.Code"/>.</exception>
    public async Task<IReadOnlyList<Reply>> CallAsync(
        string command, string args = "", object? data = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (_closing)
        {
            throw new CallException("closed", "the client is disposed");
        }

        long id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall();
        _calls[id] = call;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposed.Token);
            deadline.CancelAfter(timeout ?? _options.CallTimeout);
            try
            {
                await _open.Task.WaitAsync(deadline.Token);
                await SendAsync(ClientFrames.Call(id, command, args, data), deadline.Token);
                return await call.Completion.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw _disposed.IsCancellationRequested
                    ? new CallException("closed", "the client is disposed")
                    : new CallException("timeout", $"no answer to {command} within {(timeout ?? _options.CallTimeout).TotalMilliseconds:0} ms");
            }
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    /// <summary>Joins <paramref name="group"/> with the route's join command, and again after every reconnect until <see cref="LeaveAsync"/>.</summary>
    public async Task JoinAsync(string group, CancellationToken cancellationToken = default)
    {
        // Remembered first: a connection lost before the answer still has the group joined on the reconnect.
        _groups[group] = 0;
        try
        {
            await CallAsync(_options.JoinCommand, group, cancellationToken: cancellationToken);
        }
        catch (CallException ex) when (ex.Code == "disconnected" && !_disposed.IsCancellationRequested)
        {
            await _open.Task.WaitAsync(cancellationToken);
        }
        catch
        {
            _groups.TryRemove(group, out _);
            throw;
        }
    }

    /// <summary>Leaves <paramref name="group"/> and stops joining it after reconnects.</summary>
    public async Task LeaveAsync(string group, CancellationToken cancellationToken = default)
    {
        lock (_deliveries)
        {
            _positions.Remove(group);
        }

        _groups.TryRemove(group, out _);
        await CallAsync(_options.LeaveCommand, group, cancellationToken: cancellationToken);
    }

    /// <summary>
    /// Calls <paramref name="handler"/> for every event named <paramref name="name"/> (<c>group</c>, <c>broadcast</c>,
    /// <c>direct</c>, a command's own), or for every event with <c>*</c>, on the client's receive thread. Dispose the
    /// result to stop.
    /// </summary>
    public IDisposable On(string name, Action<GatewayEvent> handler)
    {
        var entry = (name, handler);
        lock (_handlers)
        {
            _handlers.Add(entry);
        }

        return new Subscription(() =>
        {
            lock (_handlers)
            {
                _handlers.Remove(entry);
            }
        });
    }

    /// <summary>Closes the connection (a close handshake, for at most 2 s) and stops reconnecting; pending calls fail with <c>closed</c>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        _open.TrySetException(new CallException("closed", "the client is disposed"));
        if (_socket is { State: WebSocketState.Open } socket)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                // The receive loop sees the gateway's answer and ends; then the connection is closed cleanly.
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                await _run.WaitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException or ObjectDisposedException)
            {
            }
        }

        // Neither this source nor the send lock is disposed: a call still starting may yet look at them.
        await _disposed.CancelAsync();
        try
        {
            await _run;
        }
        catch (Exception)
        {
            // Ended; its failure was reported to the calls and to ConnectAsync.
        }

        FailCalls(new CallException("closed", "the client is disposed"));
        SetState(GatewayClientState.Closed);
    }

    private static TaskCompletionSource<Welcome> NewOpen() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task RunAsync()
    {
        int attempt = 0;
        bool refusedOnce = false;
        while (!_closing)
        {
            CloseReason closed;
            try
            {
                if (_options.GetToken is { } getToken && (_token is null || refusedOnce))
                {
                    _token = await getToken(_disposed.Token);
                }

                closed = await ConnectOnceAsync(() => attempt = 0);
            }
            catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or System.Net.Http.HttpRequestException)
            {
                closed = new CloseReason(null, null, null);
            }

            FailCalls(new CallException("disconnected", "the connection was lost; the call may or may not have run"));
            if (_closing)
            {
                return;
            }

            if (closed.Code is 4401 or 4403)
            {
                var refusal = new AuthenticationException(closed.ErrorCode ?? "auth_refused", closed.Message ?? "credentials refused", closed.Code.Value);
                if (closed.Code == 4401 && _options.GetToken is not null && !refusedOnce)
                {
                    refusedOnce = true;
                }
                else
                {
                    Fail(refusal);
                    return;
                }
            }
            else
            {
                refusedOnce = false;
            }

            if (!_options.Reconnect && Welcome is not null)
            {
                Fail(new CallException("disconnected", "the connection closed"));
                return;
            }

            SetState(Welcome is null ? GatewayClientState.Connecting : GatewayClientState.Reconnecting);
            _endpoint = (_endpoint + 1) % _endpoints.Length;
            if (_open.Task.IsCompleted)
            {
                _open = NewOpen();
            }

            // Full jitter: clients dropped together by a restart do not come back in lockstep.
            double ceiling = Math.Min(_options.MaxDelay.TotalMilliseconds, _options.InitialDelay.TotalMilliseconds * Math.Pow(2, attempt));
            attempt = Math.Min(attempt + 1, 30);
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * ceiling), _disposed.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fail(CallException error)
    {
        SetState(GatewayClientState.Closed);
        _open.TrySetException(error);
    }

    /// <summary>One connection, from the handshake to its close.</summary>
    private async Task<CloseReason> ConnectOnceAsync(Action welcomed)
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(Protocol);
        _options.ConfigureWebSocket?.Invoke(socket.Options);
        var endpoint = _endpoints[_endpoint];
        var uri = _token is null ? endpoint : new UriBuilder(endpoint) { Query = ClientFrames.AddToken(endpoint.Query, _token) }.Uri;
        await socket.ConnectAsync(uri, _disposed.Token);
        _socket = socket;
        string? errorCode = null, errorMessage = null;
        var buffer = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                buffer.ResetWrittenCount();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.GetMemory(4096), _disposed.Token);
                    buffer.Advance(result.Count);
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new CloseReason((int?)socket.CloseStatus, errorCode, errorMessage);
                }

                using var frame = JsonDocument.Parse(buffer.WrittenMemory);
                var root = frame.RootElement;
                if (ClientFrames.Str(root, "type") == "error" && !root.TryGetProperty("id", out _) && ClientFrames.Str(root, "code") is { } code && code.StartsWith("auth_", StringComparison.Ordinal))
                {
                    (errorCode, errorMessage) = (code, ClientFrames.Str(root, "message"));
                    continue;
                }

                if (ClientFrames.Str(root, "type") == "welcome")
                {
                    Welcome = ClientFrames.ReadWelcome(root);
                    welcomed();
                    // In the background: this loop must go on receiving the answers to the joins and the recoveries.
                    _ = RejoinAsync(Welcome);
                    continue;
                }

                Receive(root);
            }
        }
        finally
        {
            _socket = null;
        }
    }

    /// <summary>
    /// Joins the remembered groups again, straight on the socket, and recovers what the groups that keep a history
    /// missed; the client is open once that is done. The join comes first, so every message after it arrives live (held
    /// meanwhile) and every one before it is in the history: the missed ones are raised, then the held ones, each once.
    /// </summary>
    private async Task RejoinAsync(Welcome welcome)
    {
        foreach (var group in _groups.Keys)
        {
            (long Offset, string Epoch)? since;
            lock (_deliveries)
            {
                since = _positions.TryGetValue(group, out var position) ? position : null;
                if (since is not null)
                {
                    _recovering[group] = [];
                }
            }

            // A join the route refuses is the route's answer, as on the first join; only a lost connection stops here
            // (the reconnect that follows joins again).
            if ((await InternalCallAsync(_options.JoinCommand, group, null)).Gone
                || (since is { } from && !await RecoverAsync(group, from)))
            {
                return;
            }
        }

        SetState(GatewayClientState.Open);
        _open.TrySetResult(welcome);
    }

    /// <returns>False when the connection went meanwhile.</returns>
    private async Task<bool> RecoverAsync(string group, (long Offset, string Epoch) since)
    {
        // Page by page while the gateway says there is more: one recovery, recovered only if no page had a gap.
        bool recovered = true;
        int missed = 0;
        string? error;
        while (true)
        {
            var (gone, replies, failed) = await InternalCallAsync("history", "", new { group, since = new { offset = since.Offset, epoch = since.Epoch } });
            if (gone)
            {
                return false;
            }

            error = failed;
            var answer = replies.Count > 0 ? replies[0].Data : null;
            recovered &= answer is { } a && a.TryGetProperty("recovered", out var value) && value.ValueKind == JsonValueKind.True;
            GatewayEvent? last = null;
            if (answer is { } history && history.TryGetProperty("messages", out var messages))
            {
                foreach (var message in messages.EnumerateArray())
                {
                    missed++;
                    last = ClientFrames.ReadEvent(message);
                    Deliver(last);
                }
            }

            if (answer is not { } page || !page.TryGetProperty("more", out var more) || more.ValueKind != JsonValueKind.True
                || last is not { Offset: { } offset, Epoch: { } epoch })
            {
                break;
            }

            since = (offset, epoch);
        }

        List<GatewayEvent>? held;
        lock (_deliveries)
        {
            _recovering.Remove(group, out held);
        }

        foreach (var gatewayEvent in held ?? [])
        {
            Deliver(gatewayEvent);
        }

        Recovered?.Invoke(new RecoveryResult(group, recovered && error is null, missed, error));
        return true;
    }

    /// <summary>A call of the client's own, sent while it is not open yet (its joins, its recoveries); never throws.</summary>
    /// <returns>Gone: the connection was lost or the client disposed; otherwise the replies, or the error's code.</returns>
    private async Task<(bool Gone, IReadOnlyList<Reply> Replies, string? Error)> InternalCallAsync(string command, string args, object? data)
    {
        long id = Interlocked.Increment(ref _nextId);
        var call = new PendingCall();
        _calls[id] = call;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
            deadline.CancelAfter(_options.CallTimeout);
            await SendAsync(ClientFrames.Call(id, command, args, data), deadline.Token);
            return (false, await call.Completion.Task.WaitAsync(deadline.Token), null);
        }
        catch (CallException ex) when (ex.Code is not ("disconnected" or "closed"))
        {
            return (false, [], ex.Code);
        }
        catch (OperationCanceledException) when (!_disposed.IsCancellationRequested)
        {
            return (false, [], "timeout");
        }
        catch (Exception ex) when (ex is CallException or OperationCanceledException or WebSocketException or InvalidOperationException)
        {
            return (true, [], null);
        }
        finally
        {
            _calls.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Raises an event, unless it is one already handled (its group's offset not past the last one handled in the same
    /// epoch), or holds it while its group is being recovered.
    /// </summary>
    private void Deliver(GatewayEvent gatewayEvent, bool live = false)
    {
        (string Group, (long, string) From)? recover = null;
        lock (_deliveries)
        {
            if (gatewayEvent is { Group: { } group, Offset: { } offset, Epoch: { } epoch })
            {
                if (live && _recovering.TryGetValue(group, out var held))
                {
                    held.Add(gatewayEvent);
                    return;
                }

                if (_positions.TryGetValue(group, out var last))
                {
                    if (last.Epoch == epoch && offset <= last.Offset)
                    {
                        return;
                    }

                    if (live && (last.Epoch != epoch || offset > last.Offset + 1))
                    {
                        // Missed while connected: messages lost between the gateways, or a history that was reset (a new
                        // epoch). Read them from the history as after a reconnect, holding live events meanwhile.
                        _recovering[group] = [gatewayEvent];
                        recover = (group, last);
                    }
                }

                if (recover is null)
                {
                    _positions[group] = (offset, epoch);
                }
            }
        }

        if (recover is { } gap)
        {
            // Not awaited: the receive loop must go on to receive the recovery's answer.
            _ = RecoverAsync(gap.Group, gap.From);
            return;
        }

        Raise(gatewayEvent);
    }

    private void Receive(JsonElement frame)
    {
        switch (ClientFrames.Str(frame, "type"))
        {
            case "reply" when TryGetCall(frame, out var call):
                call.Replies.Add(frame.TryGetProperty("text", out var text) ? new Reply(text.GetString(), null) : new Reply(null, frame.GetProperty("data").Clone()));
                break;
            case "result" when TryGetCall(frame, out var call, remove: true):
                call.Completion.TrySetResult(call.Replies);
                break;
            case "error" when TryGetCall(frame, out var call, remove: true):
                call.Completion.TrySetException(new CallException(ClientFrames.Str(frame, "code") ?? "failed", ClientFrames.Str(frame, "message") ?? ""));
                break;
            case "event":
                Deliver(ClientFrames.ReadEvent(frame), live: true);
                break;
            default:
                // A newer gateway's frame, or the answer to a call that gave up: ignored, as the protocol says.
                break;
        }
    }

    private bool TryGetCall(JsonElement frame, out PendingCall call, bool remove = false)
    {
        call = null!;
        if (!frame.TryGetProperty("id", out var id) || !id.TryGetInt64(out long key))
        {
            return false;
        }

        return remove ? _calls.TryRemove(key, out call!) : _calls.TryGetValue(key, out call!);
    }

    private void Raise(GatewayEvent gatewayEvent)
    {
        Action<GatewayEvent>[] handlers;
        lock (_handlers)
        {
            handlers = [.. _handlers.Where(h => h.Name == "*" || h.Name == gatewayEvent.Event).Select(h => h.Handler)];
        }

        foreach (var handler in handlers)
        {
            try
            {
                handler(gatewayEvent);
            }
            catch (Exception)
            {
                // A handler's failure is its own: the others still run and the connection goes on.
            }
        }
    }

    private void FailCalls(CallException error)
    {
        foreach (var (id, call) in _calls)
        {
            if (_calls.TryRemove(id, out _))
            {
                call.Completion.TrySetException(error);
            }
        }
    }

    private async Task SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        await _sending.WaitAsync(cancellationToken);
        try
        {
            var socket = _socket ?? throw new CallException("disconnected", "not connected");
            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException)
        {
            throw new CallException("disconnected", "the connection was lost before the call was sent");
        }
        finally
        {
            _sending.Release();
        }
    }

    private void SetState(GatewayClientState state)
    {
        if (State != state)
        {
            State = state;
            StateChanged?.Invoke(state);
        }
    }

    private sealed class PendingCall
    {
        public List<Reply> Replies { get; } = [];
        public TaskCompletionSource<IReadOnlyList<Reply>> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private readonly record struct CloseReason(int? Code, string? ErrorCode, string? Message);

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
