using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using WsGateway.Diagnostics;
using WsGateway.Protocol;
using WsGateway.Transport;

namespace WsGateway.Tests.InMemory;

/// <summary>
/// A connection without a socket (Kestrel's in-memory TestTransport, reduced): <see cref="Server"/> is the real
/// <see cref="TransportConnection"/> over a pair of pipes, and this object is the client at their other ends. The
/// client writes masked frames and reads the server's frames with the project's own <see cref="FrameReader"/>.
/// </summary>
/// <remarks>
/// The client reads only when a test asks it to. A test that stops asking is a peer that stops reading: once
/// <c>window</c> bytes wait unread (the socket buffers of both ends, in a real connection), the server's write
/// blocks (<see cref="InMemoryStream.IsWriteBlocked"/>) until the client reads again.
/// </remarks>
internal sealed class InMemoryTransport : IAsyncDisposable
{
    /// <summary>How long a read waits before the test fails: a guard against hanging, never a timing assertion.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly Pipe _toServer = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Pipe _toClient;

    // What the client took from the pipe and has not parsed yet.
    private byte[] _received = new byte[16 * 1024];
    private int _receivedStart;
    private int _receivedEnd;
    private bool _serverEnded;

    /// <param name="budget">The gateway-wide budget the server's buffers draw on; none by default.</param>
    public InMemoryTransport(GatewayMetrics metrics, int window = 64 * 1024, BufferBudget? budget = null)
    {
        _toClient = new Pipe(new PipeOptions(pauseWriterThreshold: window, resumeWriterThreshold: window / 2, useSynchronizationContext: false));
        ServerStream = new InMemoryStream(_toServer.Reader, _toClient.Writer);
        Server = TransportConnection.Over(ServerStream, new IPEndPoint(IPAddress.Loopback, 50000), metrics, budget);
    }

    /// <summary>The server's side: hand it to a <see cref="Connections.WebSocketConnection"/>, or test it directly.</summary>
    public TransportConnection Server { get; }

    /// <summary>The stream under <see cref="Server"/>: its writes, whether one is blocked, whether it was aborted.</summary>
    public InMemoryStream ServerStream { get; }

    /// <summary>A client frame, masked unless <paramref name="mask"/> is false (which the server must refuse).</summary>
    public static byte[] ClientFrame(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true, bool mask = true)
    {
        uint? key = mask ? (uint)Random.Shared.Next(1, int.MaxValue) : null;
        int headerLength = FrameWriter.GetHeaderLength(payload.Length, mask);
        var frame = new byte[headerLength + payload.Length];
        FrameWriter.WriteHeader(frame, opcode, fin, payload.Length, key);
        payload.CopyTo(frame.AsSpan(headerLength));
        if (key is { } maskKey)
        {
            Masking.Apply(frame.AsSpan(headerLength), maskKey, 0);
        }

        return frame;
    }

    public static byte[] ClientText(string text, bool fin = true) => ClientFrame(Opcode.Text, Encoding.UTF8.GetBytes(text), fin);

    /// <summary>A close frame with <paramref name="code"/> and <paramref name="reason"/>; an empty one for a null code.</summary>
    public static byte[] ClientClose(int? code, string? reason = null)
    {
        var payload = new byte[CloseStatus.MaxPayloadBytes];
        int length = code is null ? 0 : CloseStatus.WritePayload(payload, code.Value, reason);
        return ClientFrame(Opcode.Close, payload.AsSpan(0, length));
    }

    /// <summary>Writes bytes as they are, in one write: several frames in one call arrive in one read.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (ServerStream.IsDisposed)
        {
            throw new IOException("The server aborted the connection.");
        }

        await _toServer.Writer.WriteAsync(bytes);
    }

    public ValueTask SendFrameAsync(Opcode opcode, ReadOnlySpan<byte> payload, bool fin = true) => SendAsync(ClientFrame(opcode, payload, fin));

    public ValueTask SendTextAsync(string text, bool fin = true) => SendAsync(ClientText(text, fin));

    public ValueTask SendCloseAsync(int? code, string? reason = null) => SendAsync(ClientClose(code, reason));

    /// <summary>The client's half-close (its FIN): the server reads to the end of what was sent, then sees the end.</summary>
    public ValueTask CompleteWritesAsync() => _toServer.Writer.CompleteAsync();

    /// <summary>The next frame; null when the server ended its side cleanly (a FIN after everything it sent).</summary>
    /// <exception cref="IOException">The server aborted the connection; what had not reached the client is lost.</exception>
    public async Task<ServerFrame?> ReadFrameAsync()
    {
        while (true)
        {
            var received = new ReadOnlySequence<byte>(_received, _receivedStart, _receivedEnd - _receivedStart);
            if (TryTakeFrame(received, out var frame, out int length))
            {
                _receivedStart += length;
                return frame;
            }

            if (!await ReceiveAsync("a frame"))
            {
                Assert.True(received.IsEmpty, "The server ended its side in the middle of a frame.");
                return null;
            }
        }
    }

    /// <summary>The next frame, which must be there (the server has not ended its side).</summary>
    public async Task<ServerFrame> ReadFrameExpectedAsync() =>
        await ReadFrameAsync() ?? throw new Xunit.Sdk.XunitException("The server ended its side before sending the frame expected.");

    /// <summary>Frames up to and including the first close frame.</summary>
    public async Task<List<ServerFrame>> ReadUntilCloseAsync()
    {
        var frames = new List<ServerFrame>();
        while (true)
        {
            var frame = await ReadFrameAsync()
                ?? throw new Xunit.Sdk.XunitException($"The server ended its side without a close frame, after: {string.Join(", ", frames)}");
            frames.Add(frame);
            if (frame.Opcode == Opcode.Close)
            {
                return frames;
            }
        }
    }

    /// <summary>Every frame up to the end of the server's side, and whether that end was an abort rather than a FIN.</summary>
    public async Task<(List<ServerFrame> Frames, bool Aborted)> ReadToEndAsync()
    {
        var frames = new List<ServerFrame>();
        try
        {
            while (await ReadFrameAsync() is { } frame)
            {
                frames.Add(frame);
            }

            return (frames, false);
        }
        catch (IOException)
        {
            return (frames, true);
        }
    }

    /// <summary>Exactly <paramref name="count"/> raw bytes (for transport tests that send no frames).</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        while (_receivedEnd - _receivedStart < count)
        {
            if (!await ReceiveAsync($"{count} bytes"))
            {
                throw new Xunit.Sdk.XunitException($"The server ended its side after {_receivedEnd - _receivedStart} of {count} bytes.");
            }
        }

        var bytes = _received.AsSpan(_receivedStart, count).ToArray();
        _receivedStart += count;
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        await _toClient.Reader.CompleteAsync();
    }

    /// <summary>
    /// Takes everything the server sent so far into the client's own buffer, as a client reading its socket does:
    /// what it took no longer counts against the window.
    /// </summary>
    /// <returns>False when the server has ended its side and nothing more will come.</returns>
    private async Task<bool> ReceiveAsync(string what)
    {
        if (_serverEnded)
        {
            return false;
        }

        var reader = _toClient.Reader;
        using var patience = new CancellationTokenSource(Patience);
        ReadResult result;
        try
        {
            result = await reader.ReadAsync(patience.Token);
        }
        catch (OperationCanceledException) when (patience.IsCancellationRequested)
        {
            throw new TimeoutException($"Nothing from the server within {Patience.TotalSeconds:0} s while waiting for {what}.");
        }

        var buffer = result.Buffer;
        int kept = _receivedEnd - _receivedStart;
        if (_received.Length - kept < buffer.Length)
        {
            Array.Resize(ref _received, Math.Max(_received.Length * 2, kept + (int)buffer.Length));
        }

        _received.AsSpan(_receivedStart, kept).CopyTo(_received);
        buffer.CopyTo(_received.AsSpan(kept));
        _receivedStart = 0;
        _receivedEnd = kept + (int)buffer.Length;
        reader.AdvanceTo(buffer.End);
        _serverEnded = result.IsCompleted;
        return !buffer.IsEmpty || !result.IsCompleted;
    }

    private static bool TryTakeFrame(ReadOnlySequence<byte> received, [NotNullWhen(true)] out ServerFrame? frame, out int length)
    {
        frame = null;
        length = 0;
        var reader = new SequenceReader<byte>(received);
        var status = FrameReader.TryReadHeader(ref reader, requireMask: false, allowRsv1: true, out var header, out var error);
        if (status == FrameReadStatus.Error)
        {
            throw new InvalidDataException($"The server sent an invalid frame: {error}.");
        }

        if (status == FrameReadStatus.NeedMoreData || reader.Remaining < header.PayloadLength)
        {
            return false;
        }

        Assert.False(header.Masked, "Server frames must not be masked (RFC 6455 5.1).");
        var payload = reader.UnreadSequence.Slice(0, header.PayloadLength).ToArray();
        reader.Advance(header.PayloadLength);
        length = (int)reader.Consumed;
        frame = new ServerFrame(header.Opcode, header.Fin, header.Rsv1, payload);
        return true;
    }
}
