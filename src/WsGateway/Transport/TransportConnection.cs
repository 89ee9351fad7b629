using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using WsGateway.Diagnostics;

namespace WsGateway.Transport;

/// <summary>
/// The socket side of one accepted connection, plain or TLS: a reader of received bytes, a buffer of bytes to send, and
/// half-close and abort. Nothing above this type holds the <see cref="Socket"/> or the <see cref="Stream"/>.
/// </summary>
/// <remarks>
/// <para>Sending has one owner at a time, whoever holds the sender token; writers only copy bytes into the output
/// buffer under <see cref="WriteLock"/> and commit them, and whatever piles up while a send is in flight goes out with
/// the owner's next system call (as Kestrel's socket transport does). Two ways to have bytes sent:</para>
/// <list type="bullet">
/// <item><see cref="SendAsync"/>: the connection's own answers (replies, pongs, the close). The caller becomes the owner
/// when nobody is sending and sends inline (no thread hop: the fast path of a request and its reply); past
/// <see cref="WaitThreshold"/> unsent bytes it waits for the peer to take them, which paces a reply loop.</item>
/// <item><see cref="ScheduleSend"/>: fan-out (broadcasts, group and bus messages). The send runs later on a
/// <see cref="SendQueue"/>; until then more messages for this connection pile up, and one system call carries them.
/// The broadcaster never waits.</item>
/// </list>
/// <para>Every committed byte is reserved from the gateway's <see cref="BufferBudget"/> by the writer beforehand
/// (<see cref="TryReserve"/>) and released once sent or discarded. Nobody holds a lock across I/O.</para>
/// <para>What an idle connection holds is what the gateway holds most of, so nothing here lives longer than it must:
/// a plain TCP connection reads the socket itself (<see cref="SocketReader"/>: no stream, no buffer while idle), the
/// output buffer is rented on the first write and returned once sent, and a send first tries the non-blocking
/// system call, so the socket's reusable asynchronous send operation is only made for a peer that reads slowly.</para>
/// </remarks>
internal sealed class TransportConnection : IAsyncDisposable, IBufferWriter<byte>
{
    // Past this many unsent bytes a writer that finds a send in progress waits its turn (back-pressure: a command
    // replying in a loop is paced by its client's reading); below it, it leaves its bytes to the sender. The same
    // figure as a pipe's default pause threshold.
    public const long WaitThreshold = 64 * 1024;

    // TLS and the streams of Over: zero-byte reads, so an idle connection holds no receive buffer until data arrives.
    private static readonly StreamPipeReaderOptions InputOptions = new(
        bufferSize: 16 * 1024, minimumReadSize: 4096, leaveOpen: true, useZeroByteReads: true);

    // Null only over a stream (Over): what the socket does here, the stream does then.
    private readonly Socket? _socket;

    // Where sends go when not straight to the socket: the TLS stream, or the stream of Over. Null for plain TCP.
    private readonly Stream? _stream;
    private readonly GatewayMetrics _metrics;

    // The output: writers append to it under WriteLock; the sender takes the whole buffer (so the next write rents a
    // fresh one) and sends it outside the lock. No buffer while nothing waits.
    private OutputBuffer _output;
    private long _uncommitted;
    private long _unsent;

    // The sender token: whoever holds it is the one sender. Taken without waiting on the hot path; waited for (through
    // _senderFreed, made by the first waiter) only by closing, disposing and writers past WaitThreshold.
    private int _sending;
    private TaskCompletionSource? _senderFreed;

    // SendIdle, SendHeld (by a FanOutBatch still open on some thread) or SendQueued (on the SendQueue).
    private int _sendScheduled;
    private const int SendIdle = 0, SendHeld = 1, SendQueued = 2;
    private int _aborted;

    private TransportConnection(Socket? socket, Stream? stream, IPEndPoint? remoteEndPoint, BufferBudget budget, GatewayMetrics metrics)
    {
        _metrics = metrics;
        Budget = budget;
        _socket = socket;
        _stream = stream;
        RemoteEndPoint = remoteEndPoint;
        Input = stream is null ? new SocketReader(socket!) : PipeReader.Create(stream, InputOptions);
    }

    /// <summary>Bytes received from the peer (decrypted under TLS). One reader: the connection's receive loop.</summary>
    public PipeReader Input { get; }

    /// <summary>
    /// Where bytes to send are written: hold <see cref="WriteLock"/> from the first write to <see cref="CommitOutput"/>,
    /// then call <see cref="SendAsync"/> or <see cref="ScheduleSend"/> outside it.
    /// </summary>
    public IBufferWriter<byte> Output => this;

    /// <summary>
    /// What writers lock while they write and commit, and the sender while it takes the output buffer: the connection
    /// itself, since a lock object of its own would cost every idle connection its size.
    /// </summary>
    public object WriteLock => this;

    public IPEndPoint? RemoteEndPoint { get; }

    /// <summary>The gateway-wide budget for buffered bytes, which this connection's buffers draw on.</summary>
    public BufferBudget Budget { get; }

    /// <summary>Bytes written to <see cref="Output"/> since the last <see cref="CommitOutput"/>. Read holding <see cref="WriteLock"/>.</summary>
    public long UncommittedBytes => _uncommitted;

    /// <summary>Bytes committed but not yet handed to the kernel.</summary>
    public long UnsentBytes => Volatile.Read(ref _unsent);

    /// <summary>True while a send is in progress: what is committed meanwhile waits for the peer to take bytes.</summary>
    public bool IsSending => Volatile.Read(ref _sending) != 0;

    /// <summary>True once <see cref="Abort"/> ran or a send failed; nothing more will be sent.</summary>
    public bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>Wraps an accepted socket for plain TCP (and makes it non-blocking: see <see cref="SocketReader"/>).</summary>
    public static TransportConnection Accept(Socket socket, BufferBudget budget, GatewayMetrics metrics)
    {
        TrySetNoDelay(socket);
        socket.Blocking = false;
        return new TransportConnection(socket, null, socket.RemoteEndPoint as IPEndPoint, budget, metrics);
    }

    /// <summary>Wraps an accepted socket and runs the TLS handshake (which may throw).</summary>
    public static async Task<TransportConnection> AcceptTlsAsync(
        Socket socket, X509Certificate2 certificate, BufferBudget budget, GatewayMetrics metrics, CancellationToken cancellationToken)
    {
        TrySetNoDelay(socket);
        var tls = new SslStream(new ThreadPoolResumingStream(new NetworkStream(socket, ownsSocket: true)), leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsServerAsync(
                new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = false },
                cancellationToken);
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }

        return new TransportConnection(socket, tls, socket.RemoteEndPoint as IPEndPoint, budget, metrics);
    }

    /// <summary>
    /// Wraps a duplex stream that stands for the socket (tests: a pair of in-memory pipes). Sends are the stream's
    /// writes, as under TLS; <see cref="CloseAsync"/> half-closes it through <see cref="IHalfClosable"/> (when it is
    /// one) and reads it to its end; <see cref="Abort"/> disposes it, so it must allow that during a read or write.
    /// </summary>
    public static TransportConnection Over(Stream duplex, IPEndPoint? remoteEndPoint, GatewayMetrics metrics, BufferBudget? budget = null) =>
        new(null, duplex, remoteEndPoint, budget ?? BufferBudget.Unlimited, metrics);

    /// <summary>
    /// Turns Nagle off, best effort. macOS (EINVAL) and the BSDs (ECONNRESET) refuse it for a peer that already reset
    /// the connection (Linux does not); that must not throw out of the accept path for one early reset: the
    /// connection's first read or send fails instead, and ends it like any lost connection.
    /// </summary>
    private static void TrySetNoDelay(Socket socket)
    {
        try
        {
            socket.NoDelay = true;
        }
        catch (SocketException)
        {
        }
    }

    /// <summary>
    /// Reserves room in the gateway's budget for <paramref name="bytes"/> about to be written to <see cref="Output"/>
    /// and committed. False when that would pass the budget: write nothing then.
    /// </summary>
    public bool TryReserve(long bytes) => Budget.TryReserve(bytes);

    /// <summary>Reserves bytes that must be written whatever the budget says (the 101 response, a close frame).</summary>
    public void Reserve(long bytes) => Budget.Reserve(bytes);

    /// <summary>Makes what was written to <see cref="Output"/> visible to the sender. Call holding <see cref="WriteLock"/>.</summary>
    public void CommitOutput()
    {
        long written = _uncommitted;
        _uncommitted = 0;
        Interlocked.Add(ref _unsent, written);
    }

    /// <summary>
    /// Sends everything committed, unless a send is already in progress: that one picks the new bytes up when its
    /// system call returns. The returned task completes when this call's sending is done (at once if it left the
    /// bytes to a send in progress; after that send, if more than <see cref="WaitThreshold"/> bytes wait).
    /// Never throws: a failed send aborts the connection.
    /// </summary>
    public ValueTask SendAsync()
    {
        if (IsAborted || UnsentBytes <= 0)
        {
            return ValueTask.CompletedTask;
        }

        if (TryTakeSender())
        {
            return DrainAsync();
        }

        return UnsentBytes > WaitThreshold ? SendInTurnAsync() : ValueTask.CompletedTask;
    }

    /// <summary>
    /// Has what is committed sent soon on the connection's <see cref="SendQueue"/> instead of now (at the end of the
    /// thread's <see cref="FanOutBatch"/>, when one is open): whatever else is committed before its turn goes out in
    /// the same system call. Queued once however often it is called until the turn comes; never waits, never throws.
    /// </summary>
    public void ScheduleSend()
    {
        if (IsAborted)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _sendScheduled, SendHeld, SendIdle) == SendIdle)
        {
            if (UnsentBytes < WaitThreshold && FanOutBatch.TryHold(this))
            {
                return;
            }

            Volatile.Write(ref _sendScheduled, SendQueued);
            SendQueue.For(this).Schedule(this);
            return;
        }

        // Held by a batch still open (a long synchronous command): past the threshold the peer must start taking bytes
        // now, so that its send buffer limit applies, rather than when the batch ends.
        if (UnsentBytes >= WaitThreshold)
        {
            ReleaseHeldSend();
        }
    }

    /// <summary>Queues the send a <see cref="FanOutBatch"/> held, unless it was queued already.</summary>
    internal void ReleaseHeldSend()
    {
        if (Interlocked.CompareExchange(ref _sendScheduled, SendQueued, SendHeld) == SendHeld)
        {
            SendQueue.For(this).Schedule(this);
        }
    }

    /// <summary>The <see cref="SendQueue"/>'s turn: sends what piled up, unless a send is in progress (it takes it).</summary>
    internal void RunScheduledSend()
    {
        // Cleared first: bytes committed from here on schedule another turn, or are seen by the drain below.
        Volatile.Write(ref _sendScheduled, SendIdle);
        if (IsAborted || UnsentBytes <= 0 || !TryTakeSender())
        {
            return;
        }

        var drain = DrainAsync();
        if (!drain.IsCompleted)
        {
            // The peer is slow to read: the drain goes on by itself when the socket takes more; the queue moves on.
            _ = drain.AsTask();
        }
    }

    /// <summary>
    /// Ends TCP from our side without losing what we sent last: waits for queued bytes to go out, half-closes (the FIN
    /// follows everything sent), then reads and discards until the peer closes its side too, or the time is up.
    /// </summary>
    /// <remarks>
    /// Closing a socket that still holds unread input makes the kernel send RST and drop whatever it has not
    /// transmitted yet (RFC 1122 4.2.2.13): a client still sending would lose our last answer (a 400 or 431, the
    /// replies before a close frame, the close frame itself) and see a reset instead. RFC 6455 7.1.1 has the server
    /// close TCP first; this closes it first and cleanly. Under TLS the discarded bytes are ciphertext, which is as
    /// good as any to throw away.
    /// </remarks>
    public async Task CloseAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(within);
        var sink = ArrayPool<byte>.Shared.Rent(4096);
        bool sender = false;
        try
        {
            // Become the sender: what is queued goes out before the FIN.
            await TakeSenderAsync(timeout.Token);
            sender = true;
            await SendQueuedAsync();
            if (_socket is null)
            {
                await CloseStreamAsync(sink, timeout.Token);
                return;
            }

            _socket.Shutdown(SocketShutdown.Send);
            while (await _socket.ReceiveAsync(sink, SocketFlags.None, timeout.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer is gone, slow or still talking; it has had its chance to read what we sent.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(sink);
            if (sender)
            {
                ReleaseSender();
            }
        }
    }

    /// <summary>Drops the connection at once: pending sends and reads fail, queued bytes are discarded.</summary>
    public void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            // Disposing the socket is what unblocks a send to a peer that stopped reading.
            if (_socket is null)
            {
                _stream!.Dispose();
                return;
            }

            _socket.Dispose();
        }
    }

    /// <summary>
    /// Closes the socket and releases the buffers. Writers must have stopped writing to <see cref="Output"/> (the
    /// WebSocket layer's sender guarantees it).
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Abort();
        if (_stream is not null)
        {
            await _stream.DisposeAsync();
        }

        // A send still in flight fails now that the socket is gone; wait for its sender to let go of the output.
        // Writers still waiting their turn get it afterwards, see the abort and return without touching it.
        await TakeSenderAsync(CancellationToken.None);
        lock (WriteLock)
        {
            _output.Clear();
            _uncommitted = 0;
            Budget.Release(Interlocked.Exchange(ref _unsent, 0));
        }

        await Input.CompleteAsync();
        ReleaseSender();
    }

    void IBufferWriter<byte>.Advance(int count)
    {
        _output.Advance(count);
        _uncommitted += count;
    }

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint) => _output.GetMemory(sizeHint);

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint) => _output.GetMemory(sizeHint).Span;

    private bool TryTakeSender() => Interlocked.CompareExchange(ref _sending, 1, 0) == 0;

    private async ValueTask TakeSenderAsync(CancellationToken cancellationToken)
    {
        while (!TryTakeSender())
        {
            Task freed;
            lock (WriteLock)
            {
                // Published before the second look, which ReleaseSender's exchange orders against: either it sees
                // this waiter, or this look sees the token free.
                freed = (_senderFreed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
                if (TryTakeSender())
                {
                    return;
                }
            }

            await freed.WaitAsync(cancellationToken);
        }
    }

    private void ReleaseSender()
    {
        Interlocked.Exchange(ref _sending, 0);
        if (Volatile.Read(ref _senderFreed) is not null)
        {
            TaskCompletionSource? freed;
            lock (WriteLock)
            {
                freed = _senderFreed;
                _senderFreed = null;
            }

            freed?.TrySetResult();
        }
    }

    /// <summary><see cref="CloseAsync"/> over a stream: its half-close, if it has one, then read to its end.</summary>
    private async Task CloseStreamAsync(byte[] sink, CancellationToken cancellationToken)
    {
        if (_stream is IHalfClosable halfClosable)
        {
            await halfClosable.CompleteWritesAsync();
        }

        while (await _stream!.ReadAsync(sink, cancellationToken) > 0)
        {
        }
    }

    private async ValueTask SendInTurnAsync()
    {
        await TakeSenderAsync(CancellationToken.None);
        await DrainAsync();
    }

    /// <summary>Sends until nothing is left, then lets go of the sender token. Call holding it.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask DrainAsync()
    {
        int emptyRounds = 0;
        while (true)
        {
            long sent = await SendQueuedAsync();
            ReleaseSender();

            // A writer that committed after our last look found the token taken and left its bytes to us: look again.
            // (Writers count their bytes after committing them, so a count above zero means bytes to send; two empty
            // rounds in a row would mean a miscount, and must not spin.)
            emptyRounds = sent == 0 ? emptyRounds + 1 : 0;
            if (sent < 0 || emptyRounds > 1 || IsAborted || UnsentBytes <= 0 || !TryTakeSender())
            {
                return;
            }
        }
    }

    /// <summary>Sends what is committed, one system call per batch, until nothing is left. Hold the sender token.</summary>
    /// <returns>Bytes sent, or -1 when sending failed and the connection was aborted.</returns>
    private async ValueTask<long> SendQueuedAsync()
    {
        long sent = 0;
        try
        {
            while (!IsAborted)
            {
                byte[] batch;
                int length;
                lock (WriteLock)
                {
                    // Writers commit before they let go of the lock, so everything taken is committed. Nothing to
                    // take leaves no buffer held.
                    if (!_output.TryTakeAll(out batch, out length))
                    {
                        break;
                    }
                }

                try
                {
                    await WriteAsync(batch.AsMemory(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(batch);
                }

                Interlocked.Add(ref _unsent, -length);
                Budget.Release(length);
                sent += length;
            }

            return IsAborted ? -1 : sent;
        }
        catch (Exception ex) when (ex is SocketException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The peer is gone; the receive loop sees the same and ends the connection.
            Abort();
            return -1;
        }
    }

    private async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        _metrics.SocketSend();
        if (_stream is not null)
        {
            await _stream.WriteAsync(bytes);
            return;
        }

        // The kernel usually takes it all at once; only what it has no room for waits for an asynchronous send.
        int taken = _socket!.Send(bytes.Span, SocketFlags.None, out var error);
        if (error == SocketError.WouldBlock)
        {
            taken = 0;
        }
        else if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }

        if (taken < bytes.Length)
        {
            await _socket.SendAsync(bytes[taken..], SocketFlags.None);
        }
    }
}
