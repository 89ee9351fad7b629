using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace WsGateway.Benchmark.Soak;

/// <summary>
/// The soak's traffic. Every client keeps one request in flight and checks its reply before the next, so a lost reply
/// shows as a timeout and an extra one as the wrong reply to the next request (or to the last, an <c>echo</c>).
/// Plugin swaps and script edits run beside it (<see cref="SoakReloads"/>). Broadcasts reach every connection on the command route; those connections set them aside and check they come
/// one by one, in order, none missed.
/// </summary>
internal sealed class SoakClients(Uri url, SoakOptions options, SoakStats stats)
{
    public const string BroadcastPrefix = "soak-bcast ";

    private readonly Uri _command = new(url, "/");
    private readonly Uri _echo = new(url, "/echo");
    private long _broadcastsCompleted;

    /// <summary>Runs every client until <paramref name="stop"/>, then lets each finish, check and close.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        // Persistent connections first, so that each of them must see every broadcast.
        var commandSockets = await Task.WhenAll(Enumerable.Range(0, options.CommandConnections).Select(_ => SoakSocket.ConnectAsync(_command, CancellationToken.None)));
        var echoSockets = await Task.WhenAll(Enumerable.Range(0, options.EchoConnections).Select(_ => SoakSocket.ConnectAsync(_echo, CancellationToken.None)));
        var broadcaster = BroadcastAsync(stop);
        var others = new List<Task>();
        others.AddRange(echoSockets.Select((s, i) => EchoAsync(s, i, stop)));
        others.AddRange(Enumerable.Range(0, options.Churners).Select(i => ChurnAsync(i, stop)));
        var commands = commandSockets.Select((s, i) => CommandAsync(s, i, stop, broadcaster)).ToArray();
        await Task.WhenAll([broadcaster, .. others, .. commands]);
    }

    private async Task CommandAsync(SoakSocket socket, int index, CancellationToken stop, Task broadcaster)
    {
        var histogram = stats.NewHistogram();
        var state = new CommandState();
        try
        {
            for (long seq = 0; !stop.IsCancellationRequested; seq++)
            {
                await AskAsync(socket, index, seq, state, histogram);
            }

            // The last request is a plain echo: a reply that came twice would be taken for its reply and fail.
            await AskAsync(socket, index, -1, state, histogram);
            await broadcaster;
            long expected = Interlocked.Read(ref _broadcastsCompleted);
            var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 10;
            while (state.LastBroadcast < expected && Stopwatch.GetTimestamp() < deadline)
            {
                Broadcast(await socket.ReceiveTextAsync(), state);
            }

            if (state.LastBroadcast != expected)
            {
                stats.Error($"command connection {index} got {state.LastBroadcast} of {expected} broadcasts");
            }

            await socket.CloseAsync();
        }
        catch (SoakException ex)
        {
            Failed($"command connection {index}", ex);
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>One request of the mix: echo, echo in an envelope, the plugin's probe, the script's tick (plain and enveloped).</summary>
    private async Task AskAsync(SoakSocket socket, int index, long seq, CommandState state, LatencyHistogram histogram)
    {
        string tag = string.Create(CultureInfo.InvariantCulture, $"c{index}-{seq}");
        int kind = seq < 0 ? 0 : (int)(seq % 5);
        string request = kind switch
        {
            0 => $"echo {tag}",
            1 => $"{{\"id\":{Math.Max(seq, 0)},\"command\":\"echo\",\"args\":\"{tag}\"}}",
            2 => "probe",
            3 => $"{{\"id\":\"{tag}\",\"command\":\"tick\"}}",
            _ => "tick",
        };
        Interlocked.Increment(ref stats.Requests);
        long sent = Stopwatch.GetTimestamp();
        await socket.SendAsync(request);
        string reply;
        while ((reply = await socket.ReceiveTextAsync()).StartsWith(BroadcastPrefix, StringComparison.Ordinal))
        {
            Broadcast(reply, state);
        }

        switch (kind)
        {
            case 0:
                SoakChecks.Expect(reply == tag, request, reply);
                Interlocked.Increment(ref stats.CommandReplies);
                break;
            case 1:
                SoakChecks.Expect(Envelope(reply, JsonValueKind.Number, Math.Max(seq, 0).ToString(CultureInfo.InvariantCulture)) == tag, request, reply);
                Interlocked.Increment(ref stats.EnvelopeReplies);
                break;
            case 2:
                state.Probe = Versioned("probe", reply, state.Probe, request);
                Interlocked.Increment(ref stats.CommandReplies);
                break;
            case 3:
                state.Tick = Versioned("tick", Envelope(reply, JsonValueKind.String, tag) ?? reply, state.Tick, request);
                Interlocked.Increment(ref stats.EnvelopeReplies);
                break;
            default:
                state.Tick = Versioned("tick", reply, state.Tick, request);
                Interlocked.Increment(ref stats.CommandReplies);
                break;
        }

        stats.Replied(sent, histogram);
    }

    private void Broadcast(string message, CommandState state)
    {
        if (!message.StartsWith(BroadcastPrefix, StringComparison.Ordinal)
            || !long.TryParse(message.AsSpan(BroadcastPrefix.Length), CultureInfo.InvariantCulture, out long n))
        {
            throw new SoakException($"expected a broadcast, got \"{SoakChecks.Shorten(message)}\"");
        }

        if (n != state.LastBroadcast + 1)
        {
            throw new SoakException($"broadcast {n} after {state.LastBroadcast}");
        }

        state.LastBroadcast = n;
        Interlocked.Increment(ref stats.BroadcastDeliveries);
    }

    /// <summary>
    /// One sender on the command route: <c>broadcast soak-bcast N</c>, and its own copy of that broadcast back is its
    /// reply. Paced at --broadcasts-per-second.
    /// </summary>
    private async Task BroadcastAsync(CancellationToken stop)
    {
        if (options.BroadcastsPerSecond <= 0)
        {
            return;
        }

        var histogram = stats.NewHistogram();
        using var socket = await SoakSocket.ConnectAsync(_command, CancellationToken.None);
        long start = Stopwatch.GetTimestamp();
        try
        {
            for (long n = 1; !stop.IsCancellationRequested; n++)
            {
                await RunClock.DelayUntilAsync(start + (long)((n - 1) * Stopwatch.Frequency / options.BroadcastsPerSecond));
                Interlocked.Increment(ref stats.Requests);
                long sent = Stopwatch.GetTimestamp();
                await socket.SendAsync($"broadcast {BroadcastPrefix}{n}");
                string copy = await socket.ReceiveTextAsync();
                SoakChecks.Expect(copy == BroadcastPrefix + n.ToString(CultureInfo.InvariantCulture), "broadcast", copy);
                stats.Replied(sent, histogram);
                Interlocked.Increment(ref stats.BroadcastsSent);
                Interlocked.Exchange(ref _broadcastsCompleted, n);
            }

            await socket.CloseAsync();
        }
        catch (SoakException ex)
        {
            Failed("broadcaster", ex);
        }
    }

    /// <summary>/echo: text and binary messages of 1 byte to 4 KiB, each echoed byte for byte.</summary>
    private async Task EchoAsync(SoakSocket socket, int index, CancellationToken stop)
    {
        var histogram = stats.NewHistogram();
        try
        {
            for (long seq = 0; !stop.IsCancellationRequested; seq++)
            {
                int size = (int)((seq * 397 + index * 61) % 4096) + 1;
                var payload = new byte[size];
                for (int i = 0; i < size; i++)
                {
                    payload[i] = (byte)('a' + ((seq + i) % 26));
                }

                var type = seq % 2 == 0 ? WebSocketMessageType.Text : WebSocketMessageType.Binary;
                Interlocked.Increment(ref stats.Requests);
                long sent = Stopwatch.GetTimestamp();
                await socket.SendAsync(payload, type);
                var (replyType, reply) = await socket.ReceiveAsync();
                SoakChecks.Expect(replyType == type && reply.AsSpan().SequenceEqual(payload), $"{size}-byte {type} echo", $"{reply.Length}-byte {replyType}");
                Interlocked.Increment(ref stats.EchoReplies);
                stats.Replied(sent, histogram);
            }

            await socket.CloseAsync();
        }
        catch (SoakException ex)
        {
            Failed($"echo connection {index}", ex);
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>
    /// Connections that come and go: connect (command route or /echo in turn), three requests, then a close handshake,
    /// or one time in four an abrupt disconnect, half of those with a request still unanswered.
    /// </summary>
    private async Task ChurnAsync(int churner, CancellationToken stop)
    {
        if (options.ChurnPerSecond <= 0)
        {
            return;
        }

        var histogram = stats.NewHistogram();
        long start = Stopwatch.GetTimestamp();
        double interval = options.Churners / options.ChurnPerSecond;
        for (long n = 0; !stop.IsCancellationRequested; n++)
        {
            await RunClock.DelayUntilAsync(start + (long)((n + (double)churner / options.Churners) * interval * Stopwatch.Frequency));
            if (stop.IsCancellationRequested)
            {
                break;
            }

            bool commandRoute = (n + churner) % 2 == 0;
            SoakSocket? socket = null;
            try
            {
                socket = await SoakSocket.ConnectAsync(commandRoute ? _command : _echo, CancellationToken.None);
                Interlocked.Increment(ref stats.ChurnConnections);
                for (int j = 0; j < 3; j++)
                {
                    string tag = string.Create(CultureInfo.InvariantCulture, $"x{churner}-{n}-{j}");
                    Interlocked.Increment(ref stats.Requests);
                    long sent = Stopwatch.GetTimestamp();
                    await socket.SendAsync(commandRoute ? $"echo {tag}" : tag);
                    string reply;
                    while ((reply = await socket.ReceiveTextAsync()).StartsWith(BroadcastPrefix, StringComparison.Ordinal))
                    {
                        // Joined mid-stream: which broadcasts it sees depends on when it came; the persistent ones check them.
                    }

                    SoakChecks.Expect(reply == tag, tag, reply);
                    Interlocked.Increment(ref commandRoute ? ref stats.CommandReplies : ref stats.EchoReplies);
                    stats.Replied(sent, histogram);
                }

                switch (n % 8)
                {
                    case 3:
                        socket.Abort();
                        Interlocked.Increment(ref stats.ChurnAborted);
                        break;
                    case 7:
                        // Not a request that expects a reply: the client is gone before it could read one.
                        await socket.SendAsync(commandRoute ? "echo gone" : "gone");
                        socket.Abort();
                        Interlocked.Increment(ref stats.ChurnAborted);
                        Interlocked.Increment(ref stats.ChurnAbortedInFlight);
                        break;
                    default:
                        await socket.CloseAsync();
                        Interlocked.Increment(ref stats.ChurnClosed);
                        break;
                }
            }
            catch (Exception ex) when (ex is SoakException or WebSocketException or OperationCanceledException)
            {
                Failed($"churn connection {churner}-{n}", ex);
            }
            finally
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>The text of a reply envelope whose id is <paramref name="id"/> (as <paramref name="idKind"/>) and ok is true; null otherwise.</summary>
    private static string? Envelope(string reply, JsonValueKind idKind, string id)
    {
        try
        {
            using var json = JsonDocument.Parse(reply);
            var root = json.RootElement;
            return root.TryGetProperty("id", out var idValue) && idValue.ValueKind == idKind
                && (idKind == JsonValueKind.String ? idValue.GetString() : idValue.GetRawText()) == id
                && root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True
                && root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String
                ? text.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The version in "<paramref name="command"/> vN", which may only move forward on one connection.</summary>
    private static int Versioned(string command, string reply, int last, string request)
    {
        var prefix = command + " v";
        int version = 0;
        SoakChecks.Expect(
            reply.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(reply.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out version),
            request,
            reply);

        return version >= last ? version : throw new SoakException($"\"{command}\" went back from v{last} to v{version}");
    }

    private void Failed(string who, Exception ex) => SoakChecks.Failed(stats, who, ex);

    private sealed class CommandState
    {
        public int Probe { get; set; } = -1;
        public int Tick { get; set; } = -1;
        public long LastBroadcast { get; set; }
    }
}
