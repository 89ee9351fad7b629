using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace WsGateway.Benchmark;

/// <summary>
/// One client connection of the load generator: a closed loop that keeps <c>window</c> messages in flight, sends the
/// next one for each echo that comes back (all the echoes of one read answered by one send), and times each round
/// trip. Raw socket, prebuilt frames, one receive buffer: nothing is allocated per message (the async methods pool
/// their state machines), so at window 1 the client's cost per message is a send and a receive system call and their
/// completions, and at window 16 a fraction of that.
/// </summary>
internal sealed class ClientConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _frame;

    // The frame repeated once per window slot: the successors of all the echoes that one read brought go out in one
    // send, as a pipelining client would write them, so the client does not cost a system call per message.
    private readonly byte[] _burst;
    private byte[] _expected;
    private readonly bool _verify;

    // permessage-deflate: the first echo is inflated and checked against what was sent; a deflater without context
    // is deterministic, so every later echo must be the same bytes as the first.
    private readonly byte[]? _deflatedOriginal;
    private bool _learnEcho;
    private readonly long[] _sentAt;

    // SignalR: a reply is a record, not a message (see SignalRProtocol). The record being read is copied here (a few
    // dozen bytes) and compared whole; _frameLeft is what the current data frame still holds.
    private readonly byte[]? _record;
    private int _recordLength;
    private long _frameLeft;
    // wsgateway.v1 calls: each slot's request sits twice in _burst (so the requests of any run of slots are
    // contiguous), at _slotOffsets in the first copy; each call is answered by its slot's reply, then its result.
    private readonly CallProtocolFrames? _calls;
    private readonly int[]? _slotOffsets;
    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start;
    private int _end;

    private ClientConnection(Socket socket, byte[] frame, byte[] expected, bool verify, int window, bool deflate, bool signalR, CallProtocolFrames? calls = null)
    {
        _calls = calls;
        _record = signalR ? new byte[expected.Length + 256] : null;
        _deflatedOriginal = deflate ? expected : null;
        _learnEcho = deflate;
        _socket = socket;
        _frame = frame;
        if (calls is not null)
        {
            _slotOffsets = new int[window + 1];
            for (int i = 0; i < window; i++)
            {
                _slotOffsets[i + 1] = _slotOffsets[i] + calls.Requests[i].Length;
            }

            _burst = [.. calls.Requests.SelectMany(r => r), .. calls.Requests.SelectMany(r => r)];
        }
        else
        {
            _burst = new byte[frame.Length * window];
            for (int i = 0; i < window; i++)
            {
                frame.CopyTo(_burst, i * frame.Length);
            }
        }

        _expected = expected;
        _verify = verify;
        _sentAt = new long[window];
    }

    public LatencyHistogram Latency { get; } = new();

    /// <summary>Bytes of the first echo frame on the wire (header and payload, compressed or not).</summary>
    public int EchoFrameBytes { get; private set; }

    /// <summary>Messages sent, all phases.</summary>
    public long Sent { get; private set; }

    /// <summary>Echoes received inside the measurement window.</summary>
    public long Measured { get; private set; }

    public static async Task<ClientConnection> ConnectAsync(LoadOptions options, byte[] frame, byte[] expected, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Parse(options.Url.Host), options.Url.Port), cancellationToken);
            var calls = options.Calls ? new CallProtocolFrames(options.Text!, options.Expect!, options.Window) : null;
            var connection = new ClientConnection(socket, frame, expected, options.Verify, options.Window, options.Deflate, options.SignalR, calls);
            if (!options.RawTcp)
            {
                await connection.HandshakeAsync(options.Url, options.Deflate, cancellationToken);
            }

            if (calls is not null)
            {
                // The gateway's welcome: read, not checked (it names the session).
                await connection.SkipMessageAsync(cancellationToken);
            }

            if (options.SignalR)
            {
                await connection.HubHandshakeAsync(cancellationToken);
            }

            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Runs until <see cref="RunClock.SendUntil"/> or the message budget, then waits for the echoes in flight.</summary>
    public async Task RunAsync(RunClock clock, long maxMessages, CancellationToken cancellationToken)
    {
        int window = _sentAt.Length;
        int head = 0;
        int inFlight = 0;
        int owed = (int)Math.Min(window, maxMessages);
        int tail = 0;
        while (inFlight > 0 || owed > 0)
        {
            // Send what is owed once every echo already buffered has been counted: at window 1 that is at once, at
            // window 16 it is one send for all the echoes of one read. (With nothing in flight, whatever is buffered
            // is not an echo, e.g. a ping.)
            if (owed > 0 && (inFlight == 0 || !HasCompleteReply()))
            {
                if (Stopwatch.GetTimestamp() < clock.SendUntil)
                {
                    await SendAsync(head, owed, cancellationToken);
                    head = (head + owed) % window;
                    inFlight += owed;
                }

                owed = 0;
                if (inFlight == 0)
                {
                    break;
                }
            }

            if (_calls is null)
            {
                await ReceiveMessageAsync(cancellationToken);
            }
            else
            {
                await ReceiveCallAsync(tail, cancellationToken);
            }

            long now = Stopwatch.GetTimestamp();
            long sentAt = _sentAt[tail];
            tail = (tail + 1) % window;
            inFlight--;
            if (now >= clock.MeasureFrom && now < clock.SendUntil)
            {
                Measured++;
                Latency.Record((long)((now - sentAt) * RunClock.NanosecondsPerTick));
            }

            if (Sent + owed < maxMessages && now < clock.SendUntil)
            {
                owed++;
            }
        }
    }

    /// <summary>True when the receive buffer already holds a whole reply (no system call needed to read it).</summary>
    private bool HasCompleteReply() => _record is null || _frameLeft == 0
        ? HasCompleteFrame()
        : _buffer.AsSpan(_start, (int)Math.Min(_end - _start, _frameLeft)).Contains(SignalRProtocol.RecordSeparator);

    /// <summary>True when the receive buffer already holds a whole frame.</summary>
    private bool HasCompleteFrame()
    {
        int available = _end - _start;
        if (available < 2)
        {
            return false;
        }

        int headerLength = HeaderLength(_buffer[_start + 1]);
        return available >= headerLength && available - headerLength >= PayloadLength(_buffer.AsSpan(_start, headerLength));
    }

    /// <param name="secondByte">The frame's second byte: mask bit and 7-bit length.</param>
    private static int HeaderLength(byte secondByte)
    {
        int lengthBytes = (secondByte & 0x7f) switch { 126 => 2, 127 => 8, _ => 0 };
        return 2 + lengthBytes + ((secondByte & 0x80) != 0 ? 4 : 0);
    }

    private static long PayloadLength(ReadOnlySpan<byte> header) => (header[1] & 0x7f) switch
    {
        126 => BinaryPrimitives.ReadUInt16BigEndian(header[2..]),
        127 => (long)BinaryPrimitives.ReadUInt64BigEndian(header[2..]),
        var length7 => length7,
    };

    /// <summary>Best effort: close 1000 and wait briefly for the answer, so servers see a clean close.</summary>
    public async Task CloseAsync(bool rawTcp)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            if (!rawTcp)
            {
                await _socket.SendAsync(ClientFrame.Build(ClientFrame.Close, [0x03, 0xe8]), SocketFlags.None, timeout.Token);
                while (await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None, timeout.Token) > 0)
                {
                    // Drain until the server closes TCP after its close frame.
                }
            }

            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The measurement is over; a slow close changes nothing in it.
        }
    }

    public void Dispose() => _socket.Dispose();

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(int slot, int count, CancellationToken cancellationToken)
    {
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            _sentAt[(slot + i) % _sentAt.Length] = now;
        }

        Sent += count;
        int start = 0, length = count * _frame.Length;
        if (_slotOffsets is not null)
        {
            // Slots slot .. slot + count - 1, wrapping into the burst's second copy.
            int window = _slotOffsets.Length - 1, total = _slotOffsets[window];
            int Offset(int index) => index <= window ? _slotOffsets[index] : total + _slotOffsets[index - window];
            start = _slotOffsets[slot];
            length = Offset(slot + count) - start;
        }

        int sent = await _socket.SendAsync(_burst.AsMemory(start, length), SocketFlags.None, cancellationToken);
        if (sent != length)
        {
            throw new BenchmarkException($"short send: {sent} of {length} bytes");
        }
    }

    private async Task HandshakeAsync(Uri url, bool deflate, CancellationToken cancellationToken)
    {
        (_start, _end) = await ClientHandshake.RunAsync(
            _socket, url, _buffer, cancellationToken, deflate ? "permessage-deflate; server_no_context_takeover; client_no_context_takeover" : null,
            _calls is null ? null : CallProtocolFrames.Protocol);
        if (deflate && _buffer.AsSpan(0, _start).IndexOf("permessage-deflate"u8) < 0)
        {
            throw new BenchmarkException("the server did not accept permessage-deflate");
        }
    }

    /// <summary>SignalR's handshake: sends the JSON protocol's request, and the first record back must be its empty answer.</summary>
    private async Task HubHandshakeAsync(CancellationToken cancellationToken)
    {
        await _socket.SendAsync(ClientFrame.Build(ClientFrame.Text, SignalRProtocol.HandshakeRequest), SocketFlags.None, cancellationToken);
        var expected = _expected;
        _expected = SignalRProtocol.HandshakeResponse;
        await ReceiveMessageAsync(cancellationToken);
        _expected = expected;
    }

    /// <summary>A wsgateway.v1 call's two messages: its slot's reply, then its result.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReceiveCallAsync(int slot, CancellationToken cancellationToken)
    {
        _expected = _calls!.Replies[slot];
        await ReceiveMessageAsync(cancellationToken);
        _expected = _calls.Results[slot];
        await ReceiveMessageAsync(cancellationToken);
    }

    /// <summary>Reads one data message whatever it holds (a greeting the server sends first).</summary>
    private async Task SkipMessageAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await EnsureAsync(2, cancellationToken);
            byte b0 = _buffer[_start];
            int headerLength = HeaderLength(_buffer[_start + 1]);
            await EnsureAsync(headerLength, cancellationToken);
            long remaining = PayloadLength(_buffer.AsSpan(_start, headerLength));
            _start += headerLength;
            while (remaining > 0)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                int count = (int)Math.Min(_end - _start, remaining);
                _start += count;
                remaining -= count;
            }

            if ((b0 & 0x0f) < 0x8 && (b0 & 0x80) != 0)
            {
                return;
            }
        }
    }

    /// <summary>Reads frames until one data message is complete and checks it against the expected reply.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReceiveMessageAsync(CancellationToken cancellationToken)
    {
        if (_record is not null)
        {
            await ReceiveRecordAsync(_record, cancellationToken);
            return;
        }

        if (_learnEcho)
        {
            await LearnEchoAsync(cancellationToken);
            return;
        }

        int received = 0;
        while (true)
        {
            await EnsureAsync(2, cancellationToken);
            byte b0 = _buffer[_start];
            int headerLength = HeaderLength(_buffer[_start + 1]);
            await EnsureAsync(headerLength, cancellationToken);
            long payloadLength = PayloadLength(_buffer.AsSpan(_start, headerLength));
            _start += headerLength;
            int opcode = b0 & 0x0f;
            if (opcode == ClientFrame.Close)
            {
                throw new BenchmarkException("server sent a close frame");
            }

            bool control = opcode >= 0x8;
            if (!control && received + payloadLength > _expected.Length)
            {
                throw new BenchmarkException($"reply longer than the {_expected.Length} bytes expected");
            }

            // Payload in chunks as it arrives: a 64 KiB echo is compared, never copied.
            long remaining = payloadLength;
            while (remaining > 0)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                int count = (int)Math.Min(_end - _start, remaining);
                if (!control && _verify && !_buffer.AsSpan(_start, count).SequenceEqual(_expected.AsSpan(received, count)))
                {
                    throw new BenchmarkException("reply differs from the expected bytes");
                }

                if (!control)
                {
                    received += count;
                }

                _start += count;
                remaining -= count;
            }

            // Control frames (a keepalive ping or pong) may sit between data frames; they are not replies.
            if (!control && (b0 & 0x80) != 0)
            {
                if (received != _expected.Length)
                {
                    throw new BenchmarkException($"reply of {received} bytes, expected {_expected.Length}");
                }

                return;
            }
        }
    }

    /// <summary>
    /// SignalR: reads until one record is complete (across frames and messages, the rest left for the next call) and
    /// checks it against the expected one; pings are skipped, and so are control frames.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask ReceiveRecordAsync(byte[] record, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_frameLeft == 0)
            {
                await EnsureAsync(2, cancellationToken);
                int opcode = _buffer[_start] & 0x0f;
                int headerLength = HeaderLength(_buffer[_start + 1]);
                await EnsureAsync(headerLength, cancellationToken);
                long payloadLength = PayloadLength(_buffer.AsSpan(_start, headerLength));
                _start += headerLength;
                switch (opcode)
                {
                    case ClientFrame.Close:
                        throw new BenchmarkException("server sent a close frame");
                    case ClientFrame.Text or ClientFrame.Continuation:
                        _frameLeft = payloadLength;
                        break;
                    case >= 0x8:
                        for (long left = payloadLength; left > 0;)
                        {
                            if (_start == _end)
                            {
                                await FillAsync(cancellationToken);
                            }

                            int skipped = (int)Math.Min(_end - _start, left);
                            _start += skipped;
                            left -= skipped;
                        }

                        break;
                    default:
                        throw new BenchmarkException($"expected text frames of hub records, got opcode {opcode}");
                }

                continue;
            }

            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            var chunk = _buffer.AsSpan(_start, (int)Math.Min(_end - _start, _frameLeft));
            int separator = chunk.IndexOf(SignalRProtocol.RecordSeparator);
            int take = separator < 0 ? chunk.Length : separator + 1;
            if (_recordLength + take > record.Length)
            {
                throw new BenchmarkException($"hub record longer than the {_expected.Length} bytes expected: \"{SignalRProtocol.Show(record)}\"");
            }

            chunk[..take].CopyTo(record.AsSpan(_recordLength));
            _recordLength += take;
            _start += take;
            _frameLeft -= take;
            if (separator < 0)
            {
                continue;
            }

            var whole = record.AsSpan(0, _recordLength);
            _recordLength = 0;
            if (whole.SequenceEqual(SignalRProtocol.Ping))
            {
                continue;
            }

            if (_verify && !whole.SequenceEqual(_expected))
            {
                throw new BenchmarkException($"hub record differs from the expected one: \"{SignalRProtocol.Show(whole)}\"");
            }

            return;
        }
    }

    /// <summary>Reads the first echo of a compressed run whole, inflates it, checks it, and expects its bytes from then on.</summary>
    private async Task LearnEchoAsync(CancellationToken cancellationToken)
    {
        await EnsureAsync(2, cancellationToken);
        byte b0 = _buffer[_start];
        int headerLength = HeaderLength(_buffer[_start + 1]);
        await EnsureAsync(headerLength, cancellationToken);
        int payloadLength = (int)PayloadLength(_buffer.AsSpan(_start, headerLength));
        if ((b0 & 0x80) == 0 || (b0 & 0x0f) >= 0x8)
        {
            throw new BenchmarkException("the first echo of a compressed run is not one whole data frame");
        }

        _start += headerLength;
        var payload = new byte[payloadLength];
        for (int copied = 0; copied < payloadLength;)
        {
            if (_start == _end)
            {
                await FillAsync(cancellationToken);
            }

            int count = Math.Min(_end - _start, payloadLength - copied);
            _buffer.AsSpan(_start, count).CopyTo(payload.AsSpan(copied));
            _start += count;
            copied += count;
        }

        bool compressed = (b0 & 0x40) != 0;
        var inflated = compressed ? Inflate(payload) : payload;
        if (!inflated.AsSpan().SequenceEqual(_deflatedOriginal))
        {
            throw new BenchmarkException("the first echo does not inflate to what was sent");
        }

        EchoFrameBytes = headerLength + payloadLength;
        _expected = payload;
        _learnEcho = false;
    }

    private static byte[] Inflate(byte[] payload)
    {
        using var inflater = new System.IO.Compression.DeflateStream(
            new MemoryStream([.. payload, 0x00, 0x00, 0xff, 0xff]), System.IO.Compression.CompressionMode.Decompress);
        var output = new MemoryStream();
        inflater.CopyTo(output);
        return output.ToArray();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EnsureAsync(int count, CancellationToken cancellationToken)
    {
        while (_end - _start < count)
        {
            if (_buffer.Length - _start < count)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            await FillAsync(cancellationToken);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }

        int read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (read == 0)
        {
            throw new BenchmarkException("server closed the TCP connection");
        }

        _end += read;
    }
}
