using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.Benchmark;

/// <summary>
/// One connection of the broadcast mode: a receiver that reads and checks every delivery, the sender (a receiver that
/// also sends the next broadcast when its own copy of one comes back), or a stalled receiver that never reads.
/// Deliveries must arrive complete, as text, in order, each broadcast exactly once: a broadcast skipped is counted as
/// missing and one that comes again (or late) as a duplicate, and reading goes on, so that a run says how many went
/// wrong; wrong bytes end the connection. Receivers and the sender are non-blocking sockets driven by one
/// <see cref="Epoll"/> thread; nothing here is asynchronous. With SignalR a delivery is a record of the JSON hub
/// protocol (see <see cref="SignalRProtocol"/>), read across frames and messages.
/// </summary>
internal sealed class BroadcastConnection : IDisposable
{
    private const int StallFillBytes = 256 * 1024;

    // What a take returns instead of a broadcast's number: the server's close frame while closing; a delivery not counted.
    private const int Closed = -1;
    private const int Repeated = -2;

    // setsockopt(IPPROTO_TCP, TCP_MAXSEG), which SocketOptionName does not name.
    private const int IpProtocolTcp = 6;
    private const int TcpMaxSegment = 2;

    private readonly Socket _socket;
    private readonly BroadcastTimeline _timeline;
    private readonly LatencyHistogram _latency;
    private readonly byte[] _buffer;
    private readonly int _frameLength;
    private int _start;
    private int _end;
    private int _next;
    private volatile bool _finished;

    // SignalR: the record being read, copied here (it may span frames), and what the current data frame still holds.
    private readonly byte[]? _record;
    private int _recordLength;
    private int _frameLeft;

    // The sender's: one frame, its sequence number patched in before each send.
    private readonly byte[]? _request;
    private readonly int _prefixLength;
    private readonly TaskCompletionSource<int>? _lastSent;
    private readonly ApiPublisher? _publisher;
    private int _sent;

    private BroadcastConnection(Socket socket, BroadcastTimeline timeline, bool sender, bool onReceiverUrl)
    {
        _socket = socket;
        _timeline = timeline;
        OnReceiverUrl = onReceiverUrl;
        _latency = onReceiverUrl ? timeline.ReceiverUrlLatency : timeline.Latency;
        var options = timeline.Options;
        int deliveryLength = timeline.DeliveryPrefix.Length + options.Size + timeline.DeliverySuffix.Length;
        _frameLength = (deliveryLength <= 125 ? 2 : 4) + deliveryLength;
        if (options.SignalR)
        {
            // Records are taken as they come, but a control frame (up to 127 bytes) only whole.
            _frameLength = Math.Max(_frameLength, 127);
            _record = new byte[deliveryLength + 256];
        }

        _buffer = new byte[Math.Max(8 * 1024, 4 * _frameLength)];
        if (sender)
        {
            var (request, payloadOffset) = options.Request();
            _prefixLength = payloadOffset;
            _request = ClientFrame.Build(ClientFrame.Text, request);
            _lastSent = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            _publisher = options.PublishApiKey is null ? null : new ApiPublisher(options);
        }
    }

    public nint Handle => _socket.Handle;

    /// <summary>Connected to <see cref="BroadcastOptions.ReceiverUrl"/> rather than <see cref="BroadcastOptions.Url"/>.</summary>
    public bool OnReceiverUrl { get; }

    /// <summary>Deliveries received inside the measurement window.</summary>
    public long Measured { get; private set; }

    /// <summary>The number of the last broadcast received; -1 before the first.</summary>
    public int Last => Volatile.Read(ref _next) - 1;

    /// <summary>Broadcasts skipped on the way to <see cref="Last"/> (those after it are the generator's to count).</summary>
    public long Missing { get; private set; }

    /// <summary>Deliveries of a broadcast older than the one due: a repeat, or one that overtook another.</summary>
    public long Duplicates { get; private set; }

    /// <summary>What the first skipped or repeated delivery was, for the error message.</summary>
    public string? FirstMisdelivery { get; private set; }

    /// <summary>Closed or failed: the loop no longer reads it.</summary>
    public bool Finished => _finished;

    /// <summary>Why it failed before the client closed, if it did.</summary>
    public Exception? Error { get; private set; }

    /// <summary>The sender's: the number of its last broadcast, once its own copies of all of them are back.</summary>
    public Task<int> LastSent => _lastSent?.Task ?? throw new InvalidOperationException("not the sender");

    /// <summary>
    /// Connects and completes the handshake with blocking calls (each bounded by a 10 s timeout), so the socket never
    /// joins the runtime's epoll; then it is switched to non-blocking for the loop (a stalled one stays blocking).
    /// The sender always connects to <see cref="BroadcastOptions.Url"/>.
    /// </summary>
    public static BroadcastConnection Connect(BroadcastTimeline timeline, bool sender, bool stalled, bool onReceiverUrl = false)
    {
        var url = onReceiverUrl && !sender ? timeline.Options.ReceiverUrl! : timeline.Options.Url;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
        {
            NoDelay = true,
            SendTimeout = 10_000,
            ReceiveTimeout = 10_000,
        };
        try
        {
            if (stalled)
            {
                // Small kernel buffers for a receiver that never reads, set before connecting: the least receive
                // buffer the kernel allows, and a 536-byte MSS, which makes the server's kernel size its send buffer
                // for this connection at about 70 KB (on loopback it would be about 4 MB).
                socket.ReceiveBufferSize = 1024;
                socket.SetRawSocketOption(IpProtocolTcp, TcpMaxSegment, BitConverter.GetBytes(536));
            }

            socket.Connect(new IPEndPoint(IPAddress.Parse(url.Host), url.Port));
            var connection = new BroadcastConnection(socket, timeline, sender, onReceiverUrl && !sender);
            (connection._start, connection._end) = ClientHandshake.Run(socket, url, connection._buffer);
            if (timeline.Options.SignalR)
            {
                connection.HubHandshake();
            }
            else if (timeline.Options.Group is not null)
            {
                connection.JoinGroup();
            }

            if (stalled)
            {
                // At a few dozen broadcasts a second, 32-byte deliveries would take minutes to fill even those ~70 KB.
                // One large echo that it never reads fills them now, and leaves the rest waiting in the server: from
                // the first broadcast on, the server's sends to this receiver find it blocked, as after a long stall.
                byte[] fill = [.. Encoding.UTF8.GetBytes(timeline.Options.EchoPrefix), .. Enumerable.Repeat((byte)'x', StallFillBytes)];
                socket.Send(ClientFrame.Build(ClientFrame.Text, fill));
            }
            else
            {
                socket.Blocking = false;
            }

            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The sender's first window of broadcasts; then each of its own copies sends the next.</summary>
    /// <returns>False when it failed (see <see cref="Error"/>).</returns>
    public bool StartSending()
    {
        if (_publisher is not null)
        {
            _publisher.Start(_timeline, _timeline.Options.Window, _timeline.Options.MaxBroadcasts, sent =>
            {
                Volatile.Write(ref _publishedAll, sent);
                CompleteIfAllBack();
            });
            return true;
        }

        try
        {
            while (_sent - _next < _timeline.Options.Window && _sent < _timeline.Options.MaxBroadcasts)
            {
                SendNext();
            }

            return true;
        }
        catch (Exception ex)
        {
            Error = ex;
            _lastSent?.TrySetException(ex);
            return Finish();
        }
    }

    /// <summary>Reads what the socket has (the loop calls this when epoll says it is readable) and takes every whole frame.</summary>
    /// <returns>False when the connection is finished: closed while the client closes, or failed (see <see cref="Error"/>).</returns>
    public bool OnReadable(long now)
    {
        try
        {
            Compact();
            int read = _socket.Receive(_buffer.AsSpan(_end), SocketFlags.None, out var error);
            if (error == SocketError.WouldBlock)
            {
                return true;
            }

            if (error != SocketError.Success || read == 0)
            {
                return _timeline.Closing
                    ? Finish()
                    : throw new BenchmarkException(read == 0 ? "server closed the TCP connection" : $"receive failed: {error}");
            }

            _end += read;
            while (_record is null ? TryTakeFrame(out int sequence) : TryTakeHubDelivery(out sequence))
            {
                if (sequence == Closed)
                {
                    return Finish();
                }

                if (sequence == Repeated)
                {
                    continue;
                }

                if (now >= _timeline.Clock.MeasureFrom && now < _timeline.Clock.SendUntil)
                {
                    Measured++;
                    _latency.Record((long)((now - _timeline.SentAt[sequence]) * RunClock.NanosecondsPerTick));
                }

                if (_request is not null)
                {
                    OnOwnCopy(now);
                }
            }

            return true;
        }
        catch (Exception ex) when (!_timeline.Closing)
        {
            Error = ex;
            _lastSent?.TrySetException(ex);
            return Finish();
        }
        catch (Exception)
        {
            return Finish();
        }
    }

    /// <summary>
    /// The stalled receiver's fate, asked once the others are done: reads what is waiting, for up to two seconds.
    /// </summary>
    /// <returns>True when the server has closed or reset the connection, false when it is still open.</returns>
    public bool DrainStalled()
    {
        _socket.ReceiveTimeout = 250;
        var deadline = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            int read = _socket.Receive(_buffer, SocketFlags.None, out var error);
            if (error is SocketError.TimedOut or SocketError.WouldBlock)
            {
                return false;
            }

            if (error != SocketError.Success || read == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sends a close frame (1000); the loop then reads until the server's answer or hang-up.</summary>
    public void SendClose()
    {
        if (!_finished)
        {
            _ = _socket.Send(ClientFrame.Build(ClientFrame.Close, [0x03, 0xe8]), SocketFlags.None, out _);
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        _publisher?.Dispose();
    }

    private bool Finish()
    {
        _finished = true;
        return false;
    }

    /// <summary>Makes room for at least one more frame behind what is buffered.</summary>
    private void Compact()
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_buffer.Length - _start < _frameLength)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }
    }

    /// <summary>
    /// SignalR's handshake, and with a group the call that joins it, with blocking calls like the WebSocket's (the
    /// socket is still blocking, with its 10 s timeouts).
    /// </summary>
    private void HubHandshake()
    {
        _socket.Send(ClientFrame.Build(ClientFrame.Text, SignalRProtocol.HandshakeRequest));
        ExpectRecord(SignalRProtocol.HandshakeResponse, "the hub's handshake answer");
        if (_timeline.Options.Group is { } group)
        {
            _socket.Send(ClientFrame.Build(ClientFrame.Text, SignalRProtocol.Invocation("JoinGroup", "0", group)));
            ExpectRecord(SignalRProtocol.Completion("0"), "the completion of JoinGroup");
        }
    }

    /// <summary>
    /// A plain WebSocket with a group: sends the join request and waits for its reply, with blocking calls like the
    /// handshake's, so that the server has added this connection to the group before the first message to it.
    /// </summary>
    private void JoinGroup()
    {
        var (request, reply) = _timeline.Options.Join();
        _socket.Send(ClientFrame.Build(ClientFrame.Text, request));
        while (true)
        {
            if (TryReadHeader(out int opcode, out int headerLength, out int payloadLength))
            {
                if (payloadLength > _buffer.Length - headerLength)
                {
                    throw new BenchmarkException($"a frame of {payloadLength} bytes instead of the reply \"{Encoding.UTF8.GetString(reply)}\"");
                }

                if (_end - _start >= headerLength + payloadLength)
                {
                    var payload = _buffer.AsSpan(_start + headerLength, payloadLength);
                    _start += headerLength + payloadLength;
                    if (opcode != ClientFrame.Text || !payload.SequenceEqual(reply))
                    {
                        string got = opcode == ClientFrame.Text ? $"\"{Encoding.UTF8.GetString(payload[..Math.Min(payload.Length, 120)])}\"" : $"opcode {opcode}";
                        throw new BenchmarkException($"expected \"{Encoding.UTF8.GetString(reply)}\" to the join request, got {got}");
                    }

                    return;
                }
            }

            Compact();
            int read = _socket.Receive(_buffer.AsSpan(_end));
            if (read == 0)
            {
                throw new BenchmarkException("server closed the TCP connection before answering the join request");
            }

            _end += read;
        }
    }

    private void ExpectRecord(ReadOnlySpan<byte> expected, string what)
    {
        while (true)
        {
            if (TryTakeRecord(out var record))
            {
                if (!record.SequenceEqual(expected))
                {
                    throw new BenchmarkException(record.IsEmpty ? $"a close frame instead of {what}" : $"expected {what}, got \"{SignalRProtocol.Show(record)}\"");
                }

                return;
            }

            Compact();
            int read = _socket.Receive(_buffer.AsSpan(_end));
            if (read == 0)
            {
                throw new BenchmarkException($"server closed the TCP connection before {what}");
            }

            _end += read;
        }
    }

    /// <summary>SignalR: takes one complete record off the buffer and checks it as a delivery.</summary>
    /// <param name="sequence">The broadcast's number, <see cref="Closed"/> for the server's close frame while closing, or
    /// <see cref="Repeated"/>.</param>
    /// <returns>False when no whole record is buffered.</returns>
    private bool TryTakeHubDelivery(out int sequence)
    {
        sequence = Closed;
        if (!TryTakeRecord(out var record))
        {
            return false;
        }

        if (record.IsEmpty)
        {
            return _timeline.Closing ? true : throw new BenchmarkException("server sent a close frame");
        }

        var prefix = _timeline.DeliveryPrefix;
        var suffix = _timeline.DeliverySuffix;
        int size = _timeline.Options.Size;
        if (record.Length != prefix.Length + size + suffix.Length || !record.StartsWith(prefix) || !record.EndsWith(suffix))
        {
            throw new BenchmarkException($"expected the push of a {size}-byte broadcast, got \"{SignalRProtocol.Show(record)}\"");
        }

        sequence = CheckDelivery(record.Slice(prefix.Length, size));
        return true;
    }

    /// <summary>
    /// SignalR: the next record, its separator included, read across frame and message boundaries (it is copied, as it
    /// may span frames); pings and control frames are skipped.
    /// </summary>
    /// <param name="record">The record, or empty for the server's close frame.</param>
    /// <returns>False when no whole record is buffered.</returns>
    private bool TryTakeRecord(out ReadOnlySpan<byte> record)
    {
        var assembled = _record!;
        record = default;
        while (true)
        {
            if (_frameLeft == 0)
            {
                if (!TryReadHeader(out int opcode, out int headerLength, out int payloadLength))
                {
                    return false;
                }

                if (opcode >= 0x8)
                {
                    if (_end - _start < headerLength + payloadLength)
                    {
                        return false;
                    }

                    _start += headerLength + payloadLength;
                    if (opcode == ClientFrame.Close)
                    {
                        return true;
                    }

                    continue;
                }

                if (opcode is not (ClientFrame.Text or ClientFrame.Continuation))
                {
                    throw new BenchmarkException($"expected text frames of hub records, got first byte 0x{_buffer[_start]:x2}");
                }

                _start += headerLength;
                _frameLeft = payloadLength;
                continue;
            }

            if (_start == _end)
            {
                return false;
            }

            var chunk = _buffer.AsSpan(_start, Math.Min(_end - _start, _frameLeft));
            int separator = chunk.IndexOf(SignalRProtocol.RecordSeparator);
            int take = separator < 0 ? chunk.Length : separator + 1;
            if (_recordLength + take > assembled.Length)
            {
                throw new BenchmarkException($"hub record longer than expected: \"{SignalRProtocol.Show(assembled)}\"");
            }

            chunk[..take].CopyTo(assembled.AsSpan(_recordLength));
            _recordLength += take;
            _start += take;
            _frameLeft -= take;
            if (separator < 0)
            {
                continue;
            }

            record = assembled.AsSpan(0, _recordLength);
            _recordLength = 0;
            if (!record.SequenceEqual(SignalRProtocol.Ping))
            {
                return true;
            }
        }
    }

    /// <summary>The header of the buffered frame (the server's: unmasked, at most 64 KiB of payload).</summary>
    /// <returns>False when the header is not whole yet.</returns>
    private bool TryReadHeader(out int opcode, out int headerLength, out int payloadLength)
    {
        opcode = headerLength = payloadLength = 0;
        if (_end - _start < 2)
        {
            return false;
        }

        byte b0 = _buffer[_start];
        byte b1 = _buffer[_start + 1];
        int length7 = b1 & 0x7f;
        if ((b1 & 0x80) != 0 || length7 == 127)
        {
            throw new BenchmarkException("server sent a masked or oversized frame");
        }

        headerLength = length7 == 126 ? 4 : 2;
        if (_end - _start < headerLength)
        {
            return false;
        }

        opcode = b0 & 0x0f;
        payloadLength = length7 == 126 ? BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(_start + 2)) : length7;
        return true;
    }

    /// <summary>Takes one complete frame off the buffer and checks it.</summary>
    /// <param name="sequence">The broadcast's number, <see cref="Closed"/> for the server's close frame while closing, or
    /// <see cref="Repeated"/>.</param>
    /// <returns>False when no whole frame is buffered.</returns>
    private bool TryTakeFrame(out int sequence)
    {
        sequence = Closed;
        if (!TryReadHeader(out int opcode, out int headerLength, out int payloadLength))
        {
            return false;
        }

        if (payloadLength > _buffer.Length - headerLength)
        {
            throw new BenchmarkException($"frame of {payloadLength} bytes, expected {_timeline.Options.Size}");
        }

        if (_end - _start < headerLength + payloadLength)
        {
            return false;
        }

        byte b0 = _buffer[_start];
        var payload = _buffer.AsSpan(_start + headerLength, payloadLength);
        _start += headerLength + payloadLength;
        if (opcode != ClientFrame.Close && payloadLength != _timeline.Options.Size)
        {
            // Say what came instead: a server that does not know the request usually answers with an error text.
            string text = opcode == ClientFrame.Text ? $": \"{Encoding.UTF8.GetString(payload[..Math.Min(payloadLength, 80)])}\"" : "";
            throw new BenchmarkException($"message of {payloadLength} bytes, expected a {_timeline.Options.Size}-byte delivery{text}");
        }

        switch (opcode)
        {
            case ClientFrame.Close when _timeline.Closing:
                return true;
            case ClientFrame.Close:
                throw new BenchmarkException("server sent a close frame");
            case ClientFrame.Text when (b0 & 0x80) != 0:
                break;
            default:
                throw new BenchmarkException($"expected one text frame per delivery, got first byte 0x{b0:x2}");
        }

        sequence = CheckDelivery(payload);
        return true;
    }

    /// <summary>
    /// A delivery's payload must be a broadcast that was sent, whole, and normally the next one. One further on means
    /// the ones between were missed; one before the next, that it came again or late.
    /// </summary>
    /// <returns>The broadcast's number, or <see cref="Repeated"/> for a delivery that is not counted.</returns>
    private int CheckDelivery(ReadOnlySpan<byte> payload)
    {
        int sequence = BroadcastOptions.ReadSequence(payload);
        if (sequence < 0 || sequence >= _timeline.SentCount || !payload[BroadcastOptions.SequenceDigits..].SequenceEqual(_timeline.Tail))
        {
            throw new BenchmarkException(sequence < 0 ? "delivery without a broadcast number" : "delivery differs from the expected bytes");
        }

        if (_timeline.Unordered)
        {
            return CheckUnordered(sequence);
        }

        if (sequence < _next)
        {
            Duplicates++;
            FirstMisdelivery ??= $"broadcast {sequence} again when {_next} was due";
            return Repeated;
        }

        if (sequence > _next)
        {
            Missing += sequence - _next;
            FirstMisdelivery ??= $"broadcast {sequence} when {_next} was due";
        }

        Volatile.Write(ref _next, sequence + 1);
        return sequence;
    }

    // Through the API: how many were published, once the publishers have stopped; -1 before.
    private int _publishedAll = -1;

    /// <summary>Through the API: the last broadcast is known once the publishers stop, and done once its copies are all back.</summary>
    private void CompleteIfAllBack()
    {
        int published = Volatile.Read(ref _publishedAll);
        if (published >= 0 && Volatile.Read(ref _next) >= published)
        {
            _lastSent!.TrySetResult(published - 1);
        }
    }

    // Unordered deliveries: those after _next seen so far (made for the first one that overtakes another).
    private HashSet<int>? _seenAhead;

    // How far a delivery may overtake the lowest one not seen yet: a publish held up (its connection, the server's
    // thread pool) while the others go on is not a loss, but one that never comes must not keep this growing.
    private const int MaxAhead = 100_000;

    /// <summary>
    /// A delivery that may overtake others (publishes through the API, several in flight): each number once, none
    /// skipped, in any order.
    /// </summary>
    private int CheckUnordered(int sequence)
    {
        int next = _next;
        if (sequence < next || (_seenAhead?.Contains(sequence) ?? false))
        {
            Duplicates++;
            FirstMisdelivery ??= $"broadcast {sequence} again";
            return Repeated;
        }

        if (sequence > next)
        {
            if (sequence - next > MaxAhead)
            {
                throw new BenchmarkException($"broadcast {sequence} came more than {MaxAhead} ahead of {next}, still not here");
            }

            (_seenAhead ??= []).Add(sequence);
            return sequence;
        }

        // The lowest one not seen: move past it and past those seen after it.
        next++;
        while (_seenAhead is { Count: > 0 } seen && seen.Remove(next))
        {
            next++;
        }

        Volatile.Write(ref _next, next);
        return sequence;
    }

    // The sender's window is what it sent and has not had back (or skipped): a missed copy does not shrink it for good.
    private void OnOwnCopy(long now)
    {
        if (_publisher is not null)
        {
            CompleteIfAllBack();
            return;
        }

        while (now < _timeline.Clock.SendUntil && _sent - _next < _timeline.Options.Window && _sent < _timeline.Options.MaxBroadcasts)
        {
            SendNext();
        }

        if ((now >= _timeline.Clock.SendUntil || _sent == _timeline.Options.MaxBroadcasts) && _sent == _next)
        {
            _lastSent!.TrySetResult(_sent - 1);
        }
    }

    /// <summary>The sender's publishes through the API that failed.</summary>
    public IEnumerable<Exception> PublishErrors => _publisher?.Errors ?? [];

    private void SendNext()
    {
        var request = _request!;
        Span<byte> digits = stackalloc byte[BroadcastOptions.SequenceDigits];
        BroadcastOptions.WriteSequence(digits, _sent);
        ClientFrame.Patch(request, _prefixLength, digits);
        _timeline.SentAt[_sent] = Stopwatch.GetTimestamp();
        _sent++;
        _timeline.SentCount = _sent;

        // A window of small requests always fits the socket's send buffer, so a non-blocking send takes it whole.
        int sent = _socket.Send(request, SocketFlags.None, out var error);
        if (error != SocketError.Success || sent != request.Length)
        {
            throw new BenchmarkException($"send of a broadcast request failed: {error}, {sent} of {request.Length} bytes");
        }
    }
}
