using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace WsGateway.Transport;

/// <summary>
/// The bytes received on a plain TCP socket, read straight from the socket: a <see cref="PipeReader"/> without the
/// <see cref="NetworkStream"/> and <c>StreamPipeReader</c> in between, which an idle connection would hold for its life.
/// </summary>
/// <remarks>
/// <para>While nothing is buffered it waits with a zero-byte receive, so an idle connection holds no buffer; then it
/// rents one from the pool and takes what arrived with a non-blocking <see cref="Socket.Receive(Span{byte}, SocketFlags, out SocketError)"/>
/// (the socket must be non-blocking). Once everything is consumed the buffer goes back to the pool.</para>
/// <para>The bytes are one contiguous buffer: the receive loop consumes payloads as they arrive, so it holds at most a
/// frame header and a read's worth; only a request head (the handshake) can make it grow, up to
/// <c>Limits:MaxHandshakeBytes</c>.</para>
/// <para><see cref="CancelPendingRead"/> makes the next read return cancelled; a read already waiting ends when the
/// socket is disposed, which <see cref="TransportConnection.Abort"/> does right after.</para>
/// </remarks>
internal sealed class SocketReader(Socket socket) : PipeReader
{
    // Large enough for a typical message in one receive; only held while bytes are waiting to be consumed.
    private const int BufferSize = 16 * 1024;

    private byte[]? _buffer;
    private int _start;
    private int _end;
    // The consumer looked at every byte buffered: the next read must wait for more.
    private bool _examinedAll;
    // The previous receive filled the buffer: more is likely waiting, so try for it before waiting.
    private bool _filled;
    private bool _peerClosed;
    private bool _completed;
    private int _cancelRequested;

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfCompleted();
        if (Interlocked.Exchange(ref _cancelRequested, 0) != 0)
        {
            result = Result(canceled: true);
            return true;
        }

        if ((_end > _start && !_examinedAll) || _peerClosed)
        {
            result = Result(canceled: false);
            return true;
        }

        result = default;
        return false;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default) =>
        TryRead(out var result) ? new ValueTask<ReadResult>(result) : ReceiveAsync(cancellationToken);

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        ThrowIfCompleted();
        if (_buffer is null)
        {
            // An empty result (its positions belong to no buffer): nothing to consume.
            _examinedAll = true;
            return;
        }

        int consumedIndex = PositionIn(consumed);
        int examinedIndex = PositionIn(examined);
        if (consumedIndex < _start || examinedIndex < consumedIndex)
        {
            throw new InvalidOperationException("The consumed position is before the start of the buffer or after the examined one.");
        }

        _start = consumedIndex;
        _examinedAll = examinedIndex >= _end;
        if (_start == _end)
        {
            ReturnBuffer();
        }
    }

    public override void CancelPendingRead() => Volatile.Write(ref _cancelRequested, 1);

    public override void Complete(Exception? exception = null)
    {
        _completed = true;
        ReturnBuffer();
    }

    private int PositionIn(SequencePosition position)
    {
        int index = position.GetInteger();
        if (position.GetObject() is { } owner && !ReferenceEquals(owner, _buffer) || index > _end)
        {
            throw new InvalidOperationException("The position does not come from this reader's last result.");
        }

        return index;
    }

    private ReadResult Result(bool canceled) => new(
        _buffer is null ? ReadOnlySequence<byte>.Empty : new ReadOnlySequence<byte>(_buffer, _start, _end - _start),
        canceled, _peerClosed);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ReadResult> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A receive that filled the buffer probably left more behind: take it before waiting.
            bool wait = !_filled;
            _filled = false;
            while (true)
            {
                if (wait)
                {
                    // Without a token the receive registers nothing (the receive loop's case); the handshake's deadline
                    // passes one.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken);
                }

                wait = true;
                if (Volatile.Read(ref _cancelRequested) != 0)
                {
                    _cancelRequested = 0;
                    return Result(canceled: true);
                }

                var space = Space();
                int received = socket.Receive(space.Span, SocketFlags.None, out var error);
                if (error == SocketError.WouldBlock)
                {
                    // Woken without data (or the bytes went to nobody): wait again, holding no buffer if none is needed.
                    if (_start == _end)
                    {
                        ReturnBuffer();
                    }

                    continue;
                }

                if (error != SocketError.Success)
                {
                    throw new SocketException((int)error);
                }

                if (received == 0)
                {
                    _peerClosed = true;
                }

                _end += received;
                _filled = received == space.Length;
                _examinedAll = false;
                return Result(canceled: false);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException && Volatile.Read(ref _cancelRequested) != 0)
        {
            // Aborted: the socket was disposed under the waiting receive.
            _cancelRequested = 0;
            return Result(canceled: true);
        }
    }

    /// <summary>Room after the buffered bytes: a pooled buffer, its bytes moved to the front or a larger one as needed.</summary>
    private Memory<byte> Space()
    {
        if (_buffer is null)
        {
            _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            int length = _end - _start;
            var target = _start > 0 ? _buffer : ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(_start, length).CopyTo(target);
            if (target != _buffer)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = target;
            }

            _start = 0;
            _end = length;
        }

        return _buffer.AsMemory(_end);
    }

    private void ReturnBuffer()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = null;
        }

        _start = _end = 0;
    }

    private void ThrowIfCompleted()
    {
        if (_completed)
        {
            throw new InvalidOperationException("The reader was completed.");
        }
    }
}
