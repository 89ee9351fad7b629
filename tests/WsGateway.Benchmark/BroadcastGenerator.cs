using System.Diagnostics;

namespace WsGateway.Benchmark;

/// <summary>
/// The broadcast mode: receivers that only read, and one sender that asks the server to broadcast and sends the next
/// request when its own copy of one comes back (keeping a window of them in flight). Counts deliveries: broadcast
/// messages arriving at the receivers and at the sender, inside the measurement window. One thread reads every
/// socket through <see cref="Epoll"/>; this one keeps the time and collects the figures. With a receiver URL (a
/// second node of a cluster) every other receiver connects there, and latency is also given for each URL's receivers.
/// </summary>
internal static class BroadcastGenerator
{
    // Past warm-up and duration, the longest a run may take (draining, closing) before it is abandoned.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    // After the last broadcast, how long the receivers have to get it before the missing ones count as errors.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);

    // After the client's close frames, how long the servers have to answer them.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    public static async Task<RunResult> RunAsync(BroadcastOptions options)
    {
        var timeline = new BroadcastTimeline(options);
        var errors = new ErrorTally();
        var receivers = new List<BroadcastConnection>(options.Receivers);
        BroadcastConnection sender;
        try
        {
            for (int i = 0; i < options.Receivers; i++)
            {
                receivers.Add(BroadcastConnection.Connect(timeline, sender: false, stalled: i < options.Stalled, options.OnReceiverUrl(i)));
            }

            sender = BroadcastConnection.Connect(timeline, sender: true, stalled: false);
        }
        catch (Exception ex)
        {
            errors.Add(ex);
            receivers.ForEach(c => c.Dispose());
            return Summarize(options, timeline, [], null, errors, clientCpu: 0, default, stalledDropped: null, misdelivered: null);
        }

        // Every receiver must get every broadcast from the first on, so the last sessions get a moment to be registered
        // (a server may answer the handshake a little before it adds the connection to its broadcast list).
        await Task.Delay(200);
        var stalled = receivers.Take(options.Stalled).ToList();
        List<BroadcastConnection> active = [.. receivers.Skip(options.Stalled), sender];
        timeline.StartClock();
        var clock = timeline.Clock;
        long hardStop = clock.SendUntil + (long)(Grace.TotalSeconds * Stopwatch.Frequency);
        Exception? loopError = null;
        var loop = new Thread(() =>
        {
            try
            {
                Loop(timeline, active, sender, hardStop);
            }
            catch (Exception ex)
            {
                loopError = ex;
            }
        })
        { IsBackground = true, Name = "broadcast epoll" };
        loop.Start();

        await RunClock.DelayUntilAsync(clock.MeasureFrom);
        var clientBefore = Environment.CpuUsage.TotalTime;
        var serversBefore = ServerSeconds.Read(options);
        await RunClock.DelayUntilAsync(clock.SendUntil);
        var clientAfter = Environment.CpuUsage.TotalTime;
        var serversAfter = ServerSeconds.Read(options);

        // The sender stops at the end of the window; then every receiver must get every broadcast up to its last one.
        int last = -1;
        try
        {
            var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), hardStop);
            last = await sender.LastSent.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero);
            var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline && active.Any(c => !c.Finished && c.Last < last))
            {
                await Task.Delay(10);
            }
        }
        catch (Exception ex) when (ex is TimeoutException || sender.Error is not null)
        {
            // The sender failed (counted below with the others) or the run ran out of time.
        }

        bool? stalledDropped = stalled.Count > 0 ? stalled.Select(c => c.DrainStalled()).ToList().All(dropped => dropped) : null;

        timeline.BeginClosing();
        active.ForEach(c => c.SendClose());
        loop.Join(CloseTimeout + TimeSpan.FromSeconds(1));
        if (loopError is not null)
        {
            errors.Add(loopError);
        }

        // Every broadcast up to the last that a client did not get is missing, whether it skipped it, never got that
        // far, or failed before; a client with any missing or repeated is one error.
        var misdelivered = new Misdelivered();
        foreach (var connection in active)
        {
            long missing = connection.Missing + Math.Max(0, last - connection.Last);
            misdelivered = new(misdelivered.Missing + missing, misdelivered.Duplicates + connection.Duplicates);
            if (connection.Error is { } error)
            {
                errors.Add(error);
            }
            else if (connection.FirstMisdelivery is { } first)
            {
                errors.Add(new BenchmarkException($"a client missed {missing} broadcast(s) and got {connection.Duplicates} again or late; the first: {first}"));
            }
            else if (missing > 0)
            {
                errors.Add(new BenchmarkException($"a client got broadcasts up to {connection.Last}, not up to the last one ({last})"));
            }
        }

        foreach (var failed in sender.PublishErrors)
        {
            errors.Add(failed);
        }

        receivers.ForEach(c => c.Dispose());
        sender.Dispose();
        double clientCpu = (clientAfter - clientBefore).TotalSeconds / options.DurationSeconds;
        var serverCpu = serversAfter.Minus(serversBefore, options.DurationSeconds);
        return Summarize(options, timeline, active, sender, errors, clientCpu, serverCpu, stalledDropped, misdelivered);
    }

    /// <summary>Deliveries that did not come (up to the sender's last broadcast) and that came more than once, in all.</summary>
    private readonly record struct Misdelivered(long Missing, long Duplicates);

    /// <summary>
    /// Reads every active connection until each has finished: closed after the client's close frame (or failed), or
    /// the close timeout or the hard stop has passed.
    /// </summary>
    private static void Loop(BroadcastTimeline timeline, List<BroadcastConnection> active, BroadcastConnection sender, long hardStop)
    {
        using var epoll = new Epoll(active.Count);
        for (int i = 0; i < active.Count; i++)
        {
            epoll.Add(active[i].Handle, i);
        }

        int open = active.Count;
        if (!sender.StartSending())
        {
            epoll.Remove(sender.Handle);
            open--;
        }

        long? closeBy = null;
        while (open > 0)
        {
            int ready = epoll.Wait(50);
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < ready; i++)
            {
                var connection = active[epoll.TokenAt(i)];
                if (!connection.Finished && !connection.OnReadable(now))
                {
                    epoll.Remove(connection.Handle);
                    open--;
                }
            }

            if (timeline.Closing)
            {
                closeBy ??= now + (long)(CloseTimeout.TotalSeconds * Stopwatch.Frequency);
            }

            if (now > hardStop || now > closeBy)
            {
                return;
            }
        }
    }

    private static RunResult Summarize(
        BroadcastOptions options, BroadcastTimeline timeline, List<BroadcastConnection> active, BroadcastConnection? sender,
        ErrorTally errors, double clientCpu, ServerSeconds cores, bool? stalledDropped, Misdelivered? misdelivered)
    {
        long deliveries = active.Sum(c => c.Measured);
        double perSecond = deliveries / options.DurationSeconds;
        var latency = new LatencyHistogram();
        latency.Add(timeline.Latency);
        latency.Add(timeline.ReceiverUrlLatency);
        bool split = options.ReceiverUrl is not null;
        double? PerSecond(bool onReceiverUrl) =>
            split ? Math.Round(active.Where(c => c.OnReceiverUrl == onReceiverUrl).Sum(c => c.Measured) / options.DurationSeconds, 1) : null;
        double? Us(LatencyHistogram histogram, double quantile) => split ? RunClock.Microseconds(histogram.ValueAt(quantile)) : null;
        double? serverCpu = cores.Server;
        double? PerDelivery(double? used) => used is { } c && deliveries > 0 ? Math.Round(c * options.DurationSeconds * 1e6 / deliveries, 3) : null;
        return new RunResult
        {
            Mode = "broadcast",
            Server = options.Server,
            Case = options.Case,
            Round = options.Round,
            Url = options.Url.ToString(),
            ReceiverUrl = options.ReceiverUrl?.ToString(),
            Connections = options.Receivers + 1,
            Size = options.Size,
            Kind = "text",
            Window = options.Window,
            WarmupSeconds = options.WarmupSeconds,
            DurationSeconds = options.DurationSeconds,
            Messages = deliveries,
            MessagesPerSecond = Math.Round(perSecond, 1),
            MegabytesPerSecond = Math.Round(perSecond * options.Size / 1e6, 3),
            P50Us = RunClock.Microseconds(latency.ValueAt(0.50)),
            P99Us = RunClock.Microseconds(latency.ValueAt(0.99)),
            P999Us = RunClock.Microseconds(latency.ValueAt(0.999)),
            MaxUs = RunClock.Microseconds(latency.Max),
            Errors = errors.Count,
            FirstError = errors.First,
            ClientCpu = Math.Round(clientCpu, 3),
            ServerCpu = serverCpu is { } s ? Math.Round(s, 3) : null,
            ServerCpuUsPerMessage = PerDelivery(serverCpu),
            ReceiverServerCpu = cores.ReceiverServer is { } r ? Math.Round(r, 3) : null,
            ServerJitCpu = cores.Jit is { } jit ? Math.Round(jit, 3) : null,
            RedisCpu = cores.Redis is { } redis ? Math.Round(redis, 3) : null,
            RedisCpuUsPerMessage = PerDelivery(cores.Redis),
            Receivers = options.Receivers,
            Group = options.Group,
            Missing = misdelivered?.Missing,
            Duplicates = misdelivered?.Duplicates,
            Stalled = options.Stalled,
            StalledDropped = stalledDropped,
            BroadcastsPerSecond = sender is null ? null : Math.Round(sender.Measured / options.DurationSeconds, 1),
            UrlDeliveriesPerSecond = PerSecond(onReceiverUrl: false),
            ReceiverUrlDeliveriesPerSecond = PerSecond(onReceiverUrl: true),
            UrlP50Us = Us(timeline.Latency, 0.50),
            UrlP99Us = Us(timeline.Latency, 0.99),
            ReceiverUrlP50Us = Us(timeline.ReceiverUrlLatency, 0.50),
            ReceiverUrlP99Us = Us(timeline.ReceiverUrlLatency, 0.99),
        };
    }

    /// <summary>
    /// CPU seconds of the server (the one behind --url plus the one behind --receiver-url, when given), of the .NET
    /// runtime's background JIT threads in them, and of Redis; or their shares of a core between two readings. A figure
    /// is null when a process was not given or not readable.
    /// </summary>
    private readonly record struct ServerSeconds(
        double? Server, double? ReceiverServer, double? Redis, double? Jit = null, Dictionary<int, double>?[]? JitThreads = null)
    {
        // The runtime's thread that compiles hot methods again, optimized (".NET Tiered Compilation Worker", cut to 15
        // characters by Linux). Its time in the measured seconds means the server was not warm yet.
        private const string JitThread = ".NET Tiered Com";

        public static ServerSeconds Read(BroadcastOptions options)
        {
            double? url = options.ServerPid is { } a ? ProcessCpu.Seconds(a) : null;
            double? receiver = options.ReceiverServerPid is { } b ? ProcessCpu.Seconds(b) : null;
            double? redis = options.RedisPid is { } c ? ProcessCpu.Seconds(c) : null;
            // Both servers or nothing: half a sum would look like a cheaper server.
            double? server = options.ReceiverServerPid is null ? url : url + receiver;
            Dictionary<int, double>?[] jit = [.. new[] { options.ServerPid, options.ReceiverServerPid }
                .OfType<int>().Select(pid => ProcessCpu.ThreadSeconds(pid, JitThread))];
            return new ServerSeconds(server, receiver, redis, JitThreads: jit);
        }

        public ServerSeconds Minus(ServerSeconds before, double seconds)
        {
            // A JIT thread that ended within the window is missed: a lower bound.
            double? jit = JitThreads is { Length: > 0 } after && before.JitThreads is { } was && after.Length == was.Length
                && after.All(t => t is not null) && was.All(t => t is not null)
                ? after.Select((threads, i) => ProcessCpu.Used(was[i]!, threads!)).Sum() / seconds
                : null;
            return new((Server - before.Server) / seconds, (ReceiverServer - before.ReceiverServer) / seconds, (Redis - before.Redis) / seconds, jit);
        }
    }

}
