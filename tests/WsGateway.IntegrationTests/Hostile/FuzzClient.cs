using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Plays one <see cref="FuzzPlan"/> over a raw socket: writes its bytes in its writes while reading whatever the gateway
/// sends; a clean plan then waits for its replies and closes with 1000; every plan ends by half-closing (FIN), so a
/// gateway still waiting for more bytes learns that none will come.
/// </summary>
internal static class FuzzClient
{
    private const int Close = 8, Pong = 10;
    // A hang guard: a connection that reaches it is reported as "timeout", a failure.
    private static readonly TimeSpan Deadline = Eventually.Patience;

    public static async Task<FuzzOutcome> RunAsync(FuzzPlan plan, int port, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync("127.0.0.1", port, deadline.Token);
        var stream = tcp.GetStream();
        var input = new BufferedStream(stream, 64 * 1024);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(RawWebSocketClient.UpgradeRequest(port, plan.Path)), deadline.Token);
        var head = await ReadHeadAsync(input, deadline.Token);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            return new FuzzOutcome([], null, [], "eof", $"handshake answered: {head}");
        }

        var repliesArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = ReadFramesAsync(input, plan, repliesArrived, deadline.Token);

        try
        {
            int offset = 0;
            foreach (int length in plan.Writes)
            {
                await stream.WriteAsync(plan.Bytes.AsMemory(offset, length), deadline.Token);
                offset += length;
            }

            if (plan.Ending == FuzzEnding.Clean)
            {
                await Task.WhenAny(repliesArrived.Task, reading);
                var payload = new byte[2];
                BinaryPrimitives.WriteUInt16BigEndian(payload, 1000);
                await stream.WriteAsync(RawWebSocketClient.Frame(Close, payload), deadline.Token);
            }

            tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            // The gateway closed (or reset) while the client was still talking; the reader saw how.
        }

        return await reading;
    }

    private static async Task<string> ReadHeadAsync(Stream input, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await input.ReadAsync(one, cancellationToken) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }

    private static async Task<FuzzOutcome> ReadFramesAsync(Stream input, FuzzPlan plan, TaskCompletionSource repliesArrived, CancellationToken cancellationToken)
    {
        var before = new List<ServerFrame>();
        var after = new List<ServerFrame>();
        int? closeCode = null;
        int data = 0, pongs = 0;
        CheckReplies();
        try
        {
            while (true)
            {
                var (frame, problem) = await ReadFrameAsync(input, cancellationToken);
                if (problem is not null)
                {
                    return new FuzzOutcome(before, closeCode, after, "eof", problem);
                }

                if (frame is null)
                {
                    return new FuzzOutcome(before, closeCode, after, "eof", null);
                }

                if (closeCode is not null)
                {
                    after.Add(frame);
                    continue;
                }

                if (frame.Opcode == Close)
                {
                    closeCode = frame.Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(frame.Payload) : 1005;
                    continue;
                }

                before.Add(frame);
                data += frame.Opcode is 1 or 2 ? 1 : 0;
                pongs += frame.Opcode == Pong ? 1 : 0;
                CheckReplies();
            }
        }
        catch (OperationCanceledException)
        {
            return new FuzzOutcome(before, closeCode, after, "timeout", null);
        }
        catch (IOException)
        {
            return new FuzzOutcome(before, closeCode, after, "reset", null);
        }

        void CheckReplies()
        {
            if (data >= plan.Replies.Count && pongs >= plan.Pongs.Count)
            {
                repliesArrived.TrySetResult();
            }
        }
    }

    /// <returns>The frame; (null, null) at a clean end of stream; a problem for a frame no server may send.</returns>
    private static async Task<(ServerFrame? Frame, string? Problem)> ReadFrameAsync(Stream input, CancellationToken cancellationToken)
    {
        var header = new byte[2];
        int first = await input.ReadAsync(header.AsMemory(0, 1), cancellationToken);
        if (first == 0)
        {
            return (null, null);
        }

        try
        {
            await input.ReadExactlyAsync(header.AsMemory(1, 1), cancellationToken);
            bool fin = (header[0] & 0x80) != 0;
            int opcode = header[0] & 0x0F;
            if ((header[1] & 0x80) != 0 || (header[0] & 0x70) != 0 || !fin || opcode is not (1 or 2 or 8 or 9 or 10))
            {
                return (null, $"server frame header {header[0]:X2} {header[1]:X2}: masked, reserved bits, fragmented or unknown opcode");
            }

            long length = header[1] & 0x7F;
            if (length >= 126)
            {
                var extended = new byte[length == 126 ? 2 : 8];
                await input.ReadExactlyAsync(extended, cancellationToken);
                length = extended.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
            }

            if (length > 1024 * 1024)
            {
                return (null, $"server frame of {length} bytes, more than any reply in a fuzz run");
            }

            var payload = new byte[length];
            await input.ReadExactlyAsync(payload, cancellationToken);
            return (new ServerFrame(fin, opcode, payload), null);
        }
        catch (EndOfStreamException)
        {
            return (null, "TCP ended inside a server frame");
        }
    }
}
