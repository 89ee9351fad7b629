using System.Diagnostics;

namespace WsGateway.Benchmark;

/// <summary>Connects every client, runs them on one shared clock, and sums up what they measured.</summary>
internal static class LoadGenerator
{
    // Past warm-up and duration, the longest a run may take (connecting, draining, closing) before it is abandoned.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    public static async Task<RunResult> RunAsync(LoadOptions options)
    {
        var payload = options.Payload();
        byte opcode = options.Binary && options.Text is null ? ClientFrame.Binary : ClientFrame.Text;

        // SignalR: the message is an invocation of the hub's Echo with the text, and the reply its push of the same
        // text, which is the same record byte for byte.
        var request = options.SignalR ? SignalRProtocol.Invocation("Echo", null, System.Text.Encoding.UTF8.GetString(payload)) : payload;
        var frame = options.Deflate ? ClientFrame.Build(opcode, Deflated(payload), rsv1: true) : ClientFrame.Build(opcode, request);
        var expected = options.RawTcp ? ClientFrame.Masked(payload) : options.SignalR ? request : options.ExpectedReply();
        int replyBytes = options.SignalR ? payload.Length : expected.Length;
        if (options.RawTcp && options.Expect is not null)
        {
            throw new ArgumentException("--expect makes no sense against a raw TCP echo");
        }

        using var hardStop = new CancellationTokenSource(TimeSpan.FromSeconds(options.WarmupSeconds + options.DurationSeconds) + Grace);
        var errors = new ErrorTally();
        var connections = new List<ClientConnection>(options.Connections);
        try
        {
            for (int i = 0; i < options.Connections; i++)
            {
                connections.Add(await ClientConnection.ConnectAsync(options, frame, expected, hardStop.Token));
            }
        }
        catch (Exception ex)
        {
            errors.Add(ex);
            connections.ForEach(c => c.Dispose());
            return Summarize(options, [], errors, clientCpu: 0, serverCpu: null, replyBytes);
        }

        var clock = new RunClock(options.WarmupSeconds, options.DurationSeconds);
        var runs = connections
            .Select(c => Task.Run(() => c.RunAsync(clock, options.MessagesPerConnection, hardStop.Token)))
            .ToArray();

        await RunClock.DelayUntilAsync(clock.MeasureFrom);
        var clientBefore = Environment.CpuUsage.TotalTime;
        double? serverBefore = options.ServerPid is { } pid ? ProcessCpu.Seconds(pid) : null;
        await RunClock.DelayUntilAsync(clock.SendUntil);
        var clientAfter = Environment.CpuUsage.TotalTime;
        double? serverAfter = options.ServerPid is { } pid2 ? ProcessCpu.Seconds(pid2) : null;

        foreach (var run in runs)
        {
            try
            {
                await run;
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        }

        await Task.WhenAll(connections.Select(c => c.CloseAsync(options.RawTcp)));
        connections.ForEach(c => c.Dispose());

        double clientCpu = (clientAfter - clientBefore).TotalSeconds / options.DurationSeconds;
        double? serverCpu = serverAfter - serverBefore is { } used ? used / options.DurationSeconds : null;
        return Summarize(options, connections, errors, clientCpu, serverCpu, replyBytes) with
        {
            RequestFrameBytes = frame.Length,
            ReplyFrameBytes = connections.Count > 0 && options.Deflate ? connections[0].EchoFrameBytes : null,
        };
    }

    /// <summary>The payload as a client compresses it without context: sync flush, 00 00 FF FF removed.</summary>
    private static byte[] Deflated(byte[] payload)
    {
        var output = new MemoryStream();
        using var deflater = new System.IO.Compression.DeflateStream(output, System.IO.Compression.CompressionLevel.Fastest);
        deflater.Write(payload);
        deflater.Flush();
        return output.ToArray()[..^4];
    }

    /// <param name="replyBytes">The reply's payload: for SignalR the text, not the record around it.</param>
    private static RunResult Summarize(
        LoadOptions options, List<ClientConnection> connections, ErrorTally errors, double clientCpu, double? serverCpu, int replyBytes)
    {
        var latency = new LatencyHistogram();
        long messages = 0;
        foreach (var connection in connections)
        {
            latency.Add(connection.Latency);
            messages += connection.Measured;
        }

        double perSecond = messages / options.DurationSeconds;
        return new RunResult
        {
            Server = options.Server,
            Case = options.Case,
            Round = options.Round,
            Url = options.Url.ToString(),
            Connections = options.Connections,
            Size = options.Text is null ? options.Size : options.Payload().Length,
            Kind = options.Text is null ? options.Kind : "text",
            Window = options.Window,
            WarmupSeconds = options.WarmupSeconds,
            DurationSeconds = options.DurationSeconds,
            Messages = messages,
            MessagesPerSecond = Math.Round(perSecond, 1),
            MegabytesPerSecond = Math.Round(perSecond * replyBytes / 1e6, 3),
            P50Us = RunClock.Microseconds(latency.ValueAt(0.50)),
            P99Us = RunClock.Microseconds(latency.ValueAt(0.99)),
            P999Us = RunClock.Microseconds(latency.ValueAt(0.999)),
            MaxUs = RunClock.Microseconds(latency.Max),
            Errors = errors.Count,
            FirstError = errors.First,
            ClientCpu = Math.Round(clientCpu, 3),
            ServerCpu = serverCpu is { } s ? Math.Round(s, 3) : null,
            ServerCpuUsPerMessage = serverCpu is { } c && messages > 0 ? Math.Round(c * options.DurationSeconds * 1e6 / messages, 3) : null,
        };
    }

}
