using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// A raw client that uploads one message a fragment at a time, each followed by a ping: the pong says the gateway has
/// taken the fragment in, so a test can keep many uploads in step. The echo is checked against the pattern as it
/// arrives, never kept: what the test process holds stays small beside what the gateway holds.
/// </summary>
internal sealed class FragmentUploader : IAsyncDisposable
{
    private const int Binary = 2, Close = 8, Ping = 9, Pong = 10;
    private static readonly byte[] MaskKey = [0x37, 0xFA, 0x21, 0x3D];

    private readonly Socket _socket;

    // Received bytes not yet parsed: [_start, _end).
    private readonly byte[] _received = new byte[4096];
    private int _start;
    private int _end;

    private FragmentUploader(Socket socket) => _socket = socket;

    /// <summary>The code of the gateway's close frame, once one came.</summary>
    public int? CloseCode { get; private set; }

    /// <summary>True once the whole message came back unchanged.</summary>
    public bool Echoed { get; private set; }

    /// <summary>Connects and upgrades on <paramref name="path"/>.</summary>
    public static async Task<FragmentUploader> ConnectAsync(int port, string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var uploader = new FragmentUploader(socket);
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await socket.SendAsync(Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(port, path)), cancellationToken);
            // The gateway sends nothing after its 101 until asked, so whatever this reads is the response head alone.
            while (uploader._received.AsSpan(0, uploader._end).IndexOf("\r\n\r\n"u8) < 0)
            {
                int read = await socket.ReceiveAsync(uploader._received.AsMemory(uploader._end), cancellationToken);
                if (read == 0)
                {
                    throw new IOException("The gateway closed the connection during the handshake.");
                }

                uploader._end += read;
            }

            var head = Encoding.ASCII.GetString(uploader._received, 0, uploader._end);
            Assert.StartsWith("HTTP/1.1 101", head);
            Assert.EndsWith("\r\n\r\n", head);
            uploader._end = 0;
            return uploader;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// What one round sends: a masked fragment of <paramref name="pattern"/> (Binary for the first, a continuation after
    /// it, FIN on the last), then an empty ping. Made once and shared by every uploader.
    /// </summary>
    public static byte[] Round(ReadOnlySpan<byte> pattern, bool first, bool last)
    {
        var round = new byte[14 + pattern.Length + 6];
        round[0] = (byte)((last ? 0x80 : 0) | (first ? Binary : 0));
        round[1] = 0x80 | 127;
        BinaryPrimitives.WriteUInt64BigEndian(round.AsSpan(2), (ulong)pattern.Length);
        MaskKey.CopyTo(round.AsSpan(10));
        for (int i = 0; i < pattern.Length; i++)
        {
            round[14 + i] = (byte)(pattern[i] ^ MaskKey[i & 3]);
        }

        var ping = round.AsSpan(14 + pattern.Length);
        ping[0] = 0x80 | Ping;
        ping[1] = 0x80;
        MaskKey.CopyTo(ping[2..]);
        return round;
    }

    /// <summary>
    /// Sends <paramref name="round"/> and reads until its pong (after the echo of the whole message on the last
    /// round) or the gateway's close frame, after which this client closes TCP.
    /// </summary>
    /// <param name="pattern">What the echo must repeat, from its start.</param>
    public async Task RoundAsync(ReadOnlyMemory<byte> round, ReadOnlyMemory<byte> pattern, CancellationToken cancellationToken)
    {
        try
        {
            await _socket.SendAsync(round, cancellationToken);
        }
        catch (SocketException)
        {
            // The gateway may have closed already; its close frame is waiting to be read.
        }

        while (true)
        {
            await FillAsync(2, cancellationToken);
            int opcode = _received[_start] & 0x0F;
            long length = _received[_start + 1] & 0x7F;
            int headerLength = length switch { 126 => 4, 127 => 10, _ => 2 };
            await FillAsync(headerLength, cancellationToken);
            length = length switch
            {
                126 => BinaryPrimitives.ReadUInt16BigEndian(_received.AsSpan(_start + 2)),
                127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_received.AsSpan(_start + 2)),
                _ => length,
            };
            _start += headerLength;
            switch (opcode)
            {
                case Pong:
                    await SkipAsync(length, cancellationToken);
                    return;
                case Ping:
                    await SkipAsync(length, cancellationToken);
                    continue;
                case Binary:
                    await CheckEchoAsync(length, pattern, cancellationToken);
                    continue;
                case Close:
                    await FillAsync((int)length, cancellationToken);
                    CloseCode = length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(_received.AsSpan(_start)) : 1005;
                    _socket.Dispose();
                    return;
                default:
                    throw new InvalidDataException($"Unexpected opcode {opcode}.");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task CheckEchoAsync(long length, ReadOnlyMemory<byte> pattern, CancellationToken cancellationToken)
    {
        for (long offset = 0; offset < length;)
        {
            await FillAsync(1, cancellationToken);
            int count = (int)Math.Min(_end - _start, length - offset);
            for (int i = 0; i < count; i++)
            {
                if (_received[_start + i] != pattern.Span[(int)((offset + i) % pattern.Length)])
                {
                    throw new InvalidDataException($"The echo differs at byte {offset + i}.");
                }
            }

            _start += count;
            offset += count;
        }

        Echoed = true;
    }

    private async Task SkipAsync(long length, CancellationToken cancellationToken)
    {
        for (long left = length; left > 0;)
        {
            await FillAsync(1, cancellationToken);
            int count = (int)Math.Min(_end - _start, left);
            _start += count;
            left -= count;
        }
    }

    /// <summary>Reads until at least <paramref name="count"/> unparsed bytes are buffered.</summary>
    private async Task FillAsync(int count, CancellationToken cancellationToken)
    {
        if (_end - _start >= count)
        {
            return;
        }

        _received.AsSpan(_start, _end - _start).CopyTo(_received);
        _end -= _start;
        _start = 0;
        while (_end < count)
        {
            int read = await _socket.ReceiveAsync(_received.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new IOException("The gateway closed TCP without a close frame.");
            }

            _end += read;
        }
    }
}
