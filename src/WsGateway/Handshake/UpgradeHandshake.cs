using System.Buffers;
using System.Globalization;
using System.Net;
using Serilog;
using WsGateway.Connections;
using WsGateway.Diagnostics;
using WsGateway.Http;
using WsGateway.Options;
using WsGateway.Protocol;
using WsGateway.Proxies;
using WsGateway.Transport;

namespace WsGateway.Handshake;

/// <summary>
/// The HTTP side of an accepted connection: reads the request head within the limits, answers plain HTTP routes and
/// refused upgrades, and for an accepted upgrade returns the <see cref="WebSocketConnection"/> with its 101 response queued.
/// </summary>
internal sealed class UpgradeHandshake
{
    private readonly LiveOptions _options;
    private readonly HttpRouter _http;
    private readonly UpgradeDecision _decision;
    private readonly ProxyTrust _proxies;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _log;
    private readonly IPAddress _listenAddress;

    private static readonly HttpResponse AuthenticationTimedOut =
        HttpResponse.Text(503, "Cannot authenticate: authentication did not finish within the handshake timeout.", [new("Retry-After", "5")]);
    // Session ids count up from a random 64-bit start, so they are unique across the cluster as well as in this
    // process (a message to one session finds it on whichever node it is) without the nodes agreeing on anything.
    private long _nextId = BitConverter.ToInt64(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));

    public UpgradeHandshake(
        LiveOptions options, HttpRouter http, UpgradeDecision decision, ProxyTrust proxies, GatewayMetrics metrics, ILogger log)
    {
        _proxies = proxies;
        _options = options;
        _http = http;
        _decision = decision;
        _metrics = metrics;
        _log = log;
        _listenAddress = IPAddress.Parse(options.Current.Listen.Address);
    }

    /// <param name="peer">The connection's peer, or the client its PROXY header named.</param>
    /// <param name="slot">Taken here for an accepted upgrade; the caller owns it and gives it back when the connection ends.</param>
    /// <returns>
    /// The upgraded connection, its 101 queued for its first send; or null when the request was answered over plain
    /// HTTP or dropped.
    /// </returns>
    public async Task<WebSocketConnection?> RunAsync(
        TransportConnection transport, IPEndPoint? peer, ConnectionLimiter.Slot slot, CancellationToken stopping)
    {
        // One deadline for the whole handshake: reading the request, authenticating it and sending the answer.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        timeout.CancelAfter(TimeSpan.FromSeconds(_options.Current.Limits.HandshakeTimeoutSeconds));
        try
        {
            return await HandshakeAsync(transport, peer, slot, timeout.Token, stopping);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            await SocketThread.Leave();
            _metrics.HandshakeFailed("timeout", peer);
            _log.Debug("Handshake from {RemoteAddress} timed out", peer);
            return null;
        }
    }

    private async Task<WebSocketConnection?> HandshakeAsync(
        TransportConnection transport, IPEndPoint? peer, ConnectionLimiter.Slot slot, CancellationToken timeout, CancellationToken stopping)
    {
        var options = _options.Current;
        var request = await ReadRequestHeadAsync(transport, timeout);
        if (request is null)
        {
            return null;
        }

        // From here on the client is who a trusted proxy says it is (Proxies), or the peer.
        var client = _proxies.See(request, peer, options.Tls.Enabled);
        var remote = client.RemoteEndPoint;

        // Before anything else, plain HTTP included: a rebinding page must not reach a route, the origin check or /metrics.
        if (HostFilter.Effective(options.Hosts.Allowed, _listenAddress) is { } hosts && !HostFilter.IsAllowed(client.Host, hosts))
        {
            _metrics.HandshakeFailed("host", remote, request.Path);
            _log.Information("Request from {RemoteAddress} for {Path} refused: Host {Host} is not allowed (Hosts:Allowed)",
                remote, request.Path, client.Host ?? "missing");
            await RespondAsync(transport, HttpResponse.Text(400, "This host name is not served here (see Hosts:Allowed)."), headOnly: false, timeout);
            return null;
        }

        var validation = WebSocketHandshake.Validate(request);
        if (validation.Outcome == HandshakeOutcome.NotUpgrade)
        {
            var body = await ReadBodyAsync(transport, request, options.Api.MaxBodyBytes, timeout);
            if (body is null)
            {
                return null;
            }

            await RespondAsync(transport, await _http.RouteAsync(request, body, remote), request.Method == "HEAD", timeout);
            return null;
        }

        UpgradeVerdict verdict;
        try
        {
            verdict = await _decision.DecideAsync(request, validation, client, timeout);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !stopping.IsCancellationRequested)
        {
            await SocketThread.Leave();
            // A whole, valid request whose authentication outlasted the handshake (an authenticator waiting on something
            // slow): the client gets an answer it can retry on rather than a bare close, and the operator a warning.
            _log.Warning("Authentication of the upgrade from {RemoteAddress} for {Path} did not finish within {HandshakeTimeoutSeconds} s (Limits:HandshakeTimeoutSeconds); refused with 503",
                remote, request.Path, options.Limits.HandshakeTimeoutSeconds);
            await RespondAsync(transport, AuthenticationTimedOut, headOnly: false, timeout);
            throw;
        }

        // An authenticator's own I/O may have completed on the socket engine's thread, and this one goes on from there.
        await SocketThread.Leave();
        var (refusal, reason) = (verdict.Refusal, verdict.Reason);
        if (refusal is null && slot.TryTake(remote?.Address, options.Limits) is { } full)
        {
            (refusal, reason) = (HttpResponse.Text(503, full, [new("Retry-After", "5")]), "capacity");
        }

        if (refusal is not null)
        {
            _metrics.HandshakeFailed(reason!, remote, request.Path);
            _log.Information("Upgrade from {RemoteAddress} (Origin {Origin}) for {Path} refused with {Status}: {Reason}",
                remote, request.GetHeader("Origin") ?? "none", request.Path, refusal.Status, verdict.Detail is null ? reason : $"{reason} ({verdict.Detail})");
            if (InBandRefusal.For(verdict, request) is { } inBand)
            {
                await RespondAsync(transport, inBand.Bytes(WebSocketHandshake.ComputeAccept(request.GetHeader("Sec-WebSocket-Key")!)), timeout);
                return null;
            }

            await RespondAsync(transport, refusal, headOnly: false, timeout);
            return null;
        }

        // From here the slot is released when the connection ends (the caller's), whatever happens to the 101.
        var route = verdict.Route!;
        var subprotocol = route.SelectSubprotocol(WebSocketHandshake.GetOfferedSubprotocols(request));
        var deflate = NegotiateDeflate(request, options.Compression);
        var accept = WebSocketHandshake.ComputeAccept(request.GetHeader("Sec-WebSocket-Key")!);
        var id = Interlocked.Increment(ref _nextId).ToString("x16", CultureInfo.InvariantCulture);
        var identity = verdict.Identity!;
        if (identity.IsAuthenticated)
        {
            _log.Information("Connection {SessionId} from {RemoteAddress} on {Path} authenticated as {User} by {AuthenticatedBy}",
                id, remote, request.Path, identity.Name, identity.AuthenticatedBy);
        }
        else
        {
            _log.Debug("Connection {SessionId} from {RemoteAddress} opened on {Path} ({Extensions})",
                id, remote, request.Path, deflate?.ResponseHeader ?? "no extension");
        }

        var connection = new WebSocketConnection(id, transport, remote, verdict.Path!, subprotocol, deflate, identity, _options, route, _metrics, _log);

        // Queued here, not held until the connection runs: the 101 is the first thing it sends, ahead of anything the
        // route sends when it learns of the connection; and the bytes are garbage at once instead of living as long as
        // the connection (an idle connection is what the gateway holds most of).
        connection.Sender.QueueRaw(HttpResponseWriter.SwitchingProtocols(accept, subprotocol, deflate?.ResponseHeader));
        return connection;
    }

    private static DeflateAgreement? NegotiateDeflate(HttpRequestHead request, CompressionOptions compression) =>
        compression.Enabled
            ? PerMessageDeflateNegotiator.Negotiate(
                request.Headers.Where(h => h.Key.Equals("Sec-WebSocket-Extensions", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value),
                new DeflatePolicy(compression.ClientContextTakeover, compression.ClientMaxWindowBits))
            : null;

    /// <summary>Bytes as they are (an in-band refusal), then the connection closes as after <see cref="RespondAsync(TransportConnection, HttpResponse, bool, CancellationToken)"/>.</summary>
    private static async ValueTask RespondAsync(TransportConnection transport, byte[] bytes, CancellationToken cancellationToken)
    {
        lock (transport.WriteLock)
        {
            transport.Reserve(bytes.Length);
            transport.Output.Write(bytes);
            transport.CommitOutput();
        }

        var send = transport.SendAsync();
        if (!send.IsCompleted)
        {
            await send.AsTask().WaitAsync(cancellationToken);
        }
    }

    /// <summary>One response, then the connection closes (every plain HTTP answer says <c>Connection: close</c>).</summary>
    /// <param name="cancellationToken">
    /// The handshake's deadline: a client that does not read its answer is not waited for past it (the send goes on
    /// until the server drops the connection). A send that completes at once succeeds even after the deadline.
    /// </param>
    private static async ValueTask RespondAsync(TransportConnection transport, HttpResponse response, bool headOnly, CancellationToken cancellationToken)
    {
        lock (transport.WriteLock)
        {
            HttpResponseWriter.Write(transport.Output, response, headOnly);

            // Counted like every byte waiting to be sent: the send gives back what it took.
            transport.Reserve(transport.UncommittedBytes);
            transport.CommitOutput();
        }

        var send = transport.SendAsync();
        if (send.IsCompleted)
        {
            await send;
        }
        else
        {
            await send.AsTask().WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The body that follows the head, from the same reader, when its <c>Content-Length</c> is within
    /// <paramref name="maxBytes"/>; for any other framing only the framing (the route refuses it, nothing is read).
    /// Bounded in time by the handshake's deadline like the head.
    /// </summary>
    /// <returns>Null when the client closed before sending the whole body.</returns>
    private static async Task<HttpRequestBody?> ReadBodyAsync(
        TransportConnection transport, HttpRequestHead request, int maxBytes, CancellationToken cancellationToken)
    {
        var framing = RequestBodyFraming.Frame(request, maxBytes, out long length);
        if (framing != BodyFraming.ContentLength)
        {
            return framing == BodyFraming.None ? HttpRequestBody.Empty : new HttpRequestBody(framing, length, ReadOnlyMemory<byte>.Empty);
        }

        var input = transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= length)
            {
                var bytes = buffer.Slice(0, length).ToArray();
                input.AdvanceTo(buffer.GetPosition(length));
                await SocketThread.Leave();
                return new HttpRequestBody(framing, length, bytes);
            }

            input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                await SocketThread.Leave();
                return null;
            }
        }
    }

    private async Task<HttpRequestHead?> ReadRequestHeadAsync(TransportConnection transport, CancellationToken cancellationToken)
    {
        var input = transport.Input;
        int maxBytes = _options.Current.Limits.MaxHandshakeBytes;
        while (true)
        {
            var result = await input.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            var status = RequestHeadReader.TryFindHead(buffer, maxBytes, out int headLength);
            if (status != HeadReadStatus.NeedMoreData || result.IsCompleted)
            {
                // The read completed on the socket engine's thread under inline completions. Scanning for the end of
                // the head is quick; what follows (parsing, logging, HTTP routes, authentication) is not for that
                // thread: from here the handshake runs on the thread pool (SocketThread).
                await SocketThread.Leave();
            }

            if (status == HeadReadStatus.Complete && _proxies.RefusesProxyHeaders && ProxyHeaderReader.StartsLikeProxyHeader(buffer))
            {
                // A PROXY header from a peer that may not send one (or a second one): someone claiming another address.
                input.AdvanceTo(buffer.End);
                _metrics.HandshakeFailed("proxy", transport.RemoteEndPoint);
                _log.Information("Connection from {RemoteAddress} closed: a PROXY header from a peer not in Proxies:TrustedProxies",
                    transport.RemoteEndPoint);
                return null;
            }

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

                    _metrics.HandshakeFailed("bad_request", transport.RemoteEndPoint);
                    await RespondAsync(transport, HttpResponse.Text(400, error ?? "Malformed request."), headOnly: false, cancellationToken);
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
                _metrics.HandshakeFailed("too_large", transport.RemoteEndPoint);
                await RespondAsync(transport, HttpResponse.Text(431, $"Request head larger than {maxBytes} bytes."), headOnly: false, cancellationToken);
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
