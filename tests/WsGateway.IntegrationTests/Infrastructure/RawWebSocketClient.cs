using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using WsGateway.Authentication;

namespace WsGateway.IntegrationTests.Infrastructure;

/// <summary>A WebSocket client that writes whatever bytes a test asks for, valid or not.</summary>
public sealed class RawWebSocketClient : IAsyncDisposable
{
    // Only a hang reaches it (every test expects what it reads to come): a busy machine may take seconds to send it.
    private static readonly TimeSpan ReadTimeout = Eventually.Patience;
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public NetworkStream Stream => _stream;

    /// <summary>Connects and sends <paramref name="request"/> as is; the caller reads the answer.</summary>
    /// <param name="receiveBufferBytes">The socket's receive buffer, set before connecting (a client that reads slowly).</param>
    public static async Task<RawWebSocketClient> ConnectRawAsync(int port, int? receiveBufferBytes = null)
    {
        var tcp = new TcpClient();
        if (receiveBufferBytes is { } bytes)
        {
            tcp.ReceiveBufferSize = bytes;
        }

        await tcp.ConnectAsync("127.0.0.1", port);
        tcp.NoDelay = true;
        return new RawWebSocketClient(tcp);
    }

    /// <summary>Connects and completes a valid opening handshake on <paramref name="path"/>.</summary>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string path = "/echo")
    {
        var client = await ConnectRawAsync(port);
        var response = await client.SendRequestAsync(UpgradeRequest(port, path));
        Assert.StartsWith("HTTP/1.1 101", response);
        return client;
    }

    public static string UpgradeRequest(int port, string path = "/echo", string? extraHeaders = null, string key = "dGhlIHNhbXBsZSBub25jZQ==") =>
        $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";

    /// <summary>Sends a request head and returns the response head (up to the blank line).</summary>
    public async Task<string> SendRequestAsync(string request)
    {
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        return await ReadResponseHeadAsync();
    }

    public async Task<string> ReadResponseHeadAsync()
    {
        var head = new List<byte>();
        var one = new byte[1];
        using var cts = new CancellationTokenSource(ReadTimeout);
        while (!EndsWithBlankLine(head))
        {
            if (await _stream.ReadAsync(one, cts.Token) == 0)
            {
                break;
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString([.. head]);
    }

    /// <summary>Reads everything until the server closes TCP (for plain HTTP responses).</summary>
    public async Task<string> ReadToEndAsync()
    {
        using var cts = new CancellationTokenSource(ReadTimeout);
        using var all = new MemoryStream();
        await _stream.CopyToAsync(all, cts.Token);
        return Encoding.UTF8.GetString(all.ToArray());
    }

    public Task SendFrameAsync(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0) =>
        SendBytesAsync(Frame(opcode, payload, fin, mask, rsv));

    public Task SendTextAsync(string text, bool fin = true) => SendFrameAsync(1, Encoding.UTF8.GetBytes(text), fin);

    public async Task SendBytesAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>A client frame: masked with a random key unless <paramref name="mask"/> is false.</summary>
    public static byte[] Frame(int opcode, byte[] payload, bool fin = true, bool mask = true, int rsv = 0)
    {
        using var frame = new MemoryStream();
        frame.WriteByte((byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode));
        byte maskBit = mask ? (byte)0x80 : (byte)0;
        if (payload.Length <= 125)
        {
            frame.WriteByte((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.WriteByte((byte)(maskBit | 126));
            var length = new byte[2];
            BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)payload.Length);
            frame.Write(length);
        }
        else
        {
            frame.WriteByte((byte)(maskBit | 127));
            var length = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(length, (ulong)payload.Length);
            frame.Write(length);
        }

        var body = (byte[])payload.Clone();
        if (mask)
        {
            var key = RandomNumberGenerator.GetBytes(4);
            frame.Write(key);
            for (int i = 0; i < body.Length; i++)
            {
                body[i] ^= key[i & 3];
            }
        }

        frame.Write(body);
        return frame.ToArray();
    }

    /// <summary>Reads one server frame; null when the server closed TCP.</summary>
    public async Task<ServerFrame?> ReadFrameAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? ReadTimeout);
        var header = new byte[2];
        if (!await ReadExactlyOrEofAsync(header, cts.Token))
        {
            return null;
        }

        Assert.True((header[1] & 0x80) == 0, "server frames must not be masked");
        long length = header[1] & 0x7F;
        if (length == 126)
        {
            var extended = new byte[2];
            await _stream.ReadExactlyAsync(extended, cts.Token);
            length = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else if (length == 127)
        {
            var extended = new byte[8];
            await _stream.ReadExactlyAsync(extended, cts.Token);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
        }

        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, cts.Token);
        return new ServerFrame((header[0] & 0x80) != 0, header[0] & 0x0F, payload, Rsv1: (header[0] & 0x40) != 0);
    }

    /// <summary>Skips data frames until a close frame and returns its code (1005 when it carried none).</summary>
    public async Task<int> ReadCloseCodeAsync()
    {
        while (true)
        {
            var frame = await ReadFrameAsync() ?? throw new IOException("TCP closed before a close frame.");
            if (frame.Opcode == 8)
            {
                return frame.Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame.Payload) : 1005;
            }
        }
    }

    /// <summary>True when the server closes TCP within the read timeout.</summary>
    public async Task<bool> ServerClosedTcpAsync()
    {
        var buffer = new byte[1024];
        using var cts = new CancellationTokenSource(ReadTimeout);
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadExactlyOrEofAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n;
            try
            {
                n = await _stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            }
            catch (IOException)
            {
                return false;
            }

            if (n == 0)
            {
                return false;
            }

            read += n;
        }

        return true;
    }

    private static bool EndsWithBlankLine(List<byte> head) =>
        head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n';
}

/// <param name="Rsv1">Set on a permessage-deflate compressed message.</param>
public sealed record ServerFrame(bool Fin, int Opcode, byte[] Payload, bool Rsv1 = false)
{
    public string Text => Encoding.UTF8.GetString(Payload);
}
