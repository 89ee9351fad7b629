using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using WsGateway.Client;

namespace WsGateway.Benchmark;

/// <summary>
/// One round of recovery.sh: clients in a room that keeps a history, half on a gateway that is killed with SIGKILL
/// (its pid given by the script that started it) while a publisher on the other sends at a steady rate. Measures how
/// long after the kill each client of the dead gateway has recovered on the survivor, and checks that every client
/// ends with every message once and in order.
/// </summary>
internal static class RecoveryRun
{
    public const string Usage =
        "recovery --victim URL --victim-pid PID --survivor URL --room GROUP [--clients 1000] [--rate 200] [--messages 1200] [--kill-after 400] [--round N]";

    /// <summary>The publisher of a round, in a process of its own: sends m1, m2, … at the rate, kills the victim.</summary>
    public static async Task<int> PublishAsync(string[] args)
    {
        var options = OptionValues.Parse(args);
        var survivor = new Uri(Required(options, "survivor"));
        string room = Required(options, "room");
        int rate = options.Int("rate", 200);
        int messages = options.Int("messages", 1200);
        int killAfter = options.Int("kill-after", 400);
        int victimPid = int.Parse(Required(options, "victim-pid"), CultureInfo.InvariantCulture);
        options.EnsureAllTaken();

        // Each message is sent without waiting for the one before: the rate is the pace, not the round trip. The
        // gateway runs one session's calls in order, so the room gets them in the order sent.
        var calls = new List<Task>(messages);
        var sending = Stopwatch.StartNew();
        await using var publisher = await GatewayClient.ConnectAsync(survivor);
        using (var pace = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate)))
        {
            for (int n = 1; n <= messages; n++)
            {
                // On schedule: a tick that came late (the core is busy) is made up by sending what is due at once.
                if (n > sending.Elapsed.TotalSeconds * rate)
                {
                    await pace.WaitForNextTickAsync();
                }

                calls.Add(publisher.CallAsync("group-send", $"{room} m{Text(n)}"));
                if (n == killAfter)
                {
                    using var process = Process.GetProcessById(victimPid);
                    process.Kill();
                    Console.WriteLine("killed");
                }
            }
        }

        Console.WriteLine("sent " + Text(sending.Elapsed.TotalSeconds));
        await Task.WhenAll(calls);
        return 0;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var options = OptionValues.Parse(args);
        var victim = new Uri(Required(options, "victim"));
        int victimPid = int.Parse(Required(options, "victim-pid"), CultureInfo.InvariantCulture);
        var survivor = new Uri(Required(options, "survivor"));
        string room = Required(options, "room");
        int clients = options.Int("clients", 1000);
        int rate = options.Int("rate", 200);
        int messages = options.Int("messages", 1200);
        int killAfter = options.Int("kill-after", 400);
        int round = options.Int("round", 1);
        options.EnsureAllTaken();

        var killed = new Stopwatch();
        double publishSeconds = double.NaN;
        var received = new ConcurrentQueue<string>[clients];
        var recoveredAt = new TimeSpan?[clients];
        int notRecovered = 0;
        var connected = new GatewayClient[clients];
        var clientOptions = new GatewayClientOptions
        {
            JoinCommand = "group-join",
            InitialDelay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromSeconds(2),
        };
        var connecting = Stopwatch.StartNew();
        foreach (var batch in Enumerable.Range(0, clients).Chunk(100))
        {
            await Task.WhenAll(batch.Select(async i =>
            {
                received[i] = new ConcurrentQueue<string>();
                var client = await GatewayClient.ConnectAsync(i % 2 == 0 ? [victim, survivor] : [survivor], clientOptions);
                client.On("group", e => received[i].Enqueue(e.Text!));
                client.Recovered += r =>
                {
                    if (r.Recovered)
                    {
                        recoveredAt[i] ??= killed.Elapsed;
                    }
                    else
                    {
                        Interlocked.Increment(ref notRecovered);
                    }
                };
                await client.JoinAsync(room);
                connected[i] = client;
            }));
        }

        Console.Error.WriteLine($"recovery round {round}: {clients} clients in {room} in {connecting.Elapsed.TotalSeconds:0.0} s; publishing {messages} at {rate}/s, the victim killed after {killAfter}");
        // The publisher is a process of its own, so that its pace does not wait behind the clients' work on this
        // core; it kills the victim after --kill-after messages and says so on its output.
        var publishing = Stopwatch.StartNew();
        using (var publisher = Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(RecoveryRun).Assembly.Location, "recovery-publisher", "--survivor", survivor.ToString(), "--room", room,
                "--rate", Text(rate), "--messages", Text(messages), "--kill-after", Text(killAfter), "--victim-pid", Text(victimPid) },
            RedirectStandardOutput = true,
        })!)
        {
            while (await publisher.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line == "killed")
                {
                    killed.Start();
                }
                else if (line.StartsWith("sent ", StringComparison.Ordinal))
                {
                    publishSeconds = double.Parse(line[5..], CultureInfo.InvariantCulture);
                }
            }

            await publisher.WaitForExitAsync();
            if (publisher.ExitCode != 0 || !killed.IsRunning)
            {
                throw new BenchmarkException($"the publisher failed (exit code {publisher.ExitCode})");
            }
        }

        var log = Enumerable.Range(1, messages).Select(n => "m" + Text(n)).ToArray();
        // Bounded: what has not arrived two minutes after the last message is counted as missing.
        using (var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            while (!patience.IsCancellationRequested && received.Any(r => r.Count < messages))
            {
                await Task.Delay(50, CancellationToken.None);
            }
        }

        double allDelivered = killed.Elapsed.TotalSeconds;
        int wrong = received.Count(r => !r.SequenceEqual(log));
        var moved = Enumerable.Range(0, clients).Where(i => i % 2 == 0).ToArray();
        var times = moved.Select(i => recoveredAt[i]).OfType<TimeSpan>().Select(t => t.TotalMilliseconds).Order().ToArray();
        await Task.WhenAll(connected.Select(c => c.DisposeAsync().AsTask()));

        double Percentile(double p) => times.Length == 0 ? double.NaN : times[Math.Min(times.Length - 1, (int)Math.Ceiling(p * times.Length) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"mode\":\"recovery\",\"round\":{round},\"clients\":{clients},\"moved\":{moved.Length},\"recovered\":{times.Length},\"not_recovered\":{notRecovered},"
            + $"\"recovery_p50_ms\":{Percentile(0.5):0},\"recovery_p99_ms\":{Percentile(0.99):0},\"recovery_max_ms\":{Percentile(1):0},"
            + $"\"messages\":{messages},\"publish_rate\":{messages / publishSeconds:0},\"all_delivered_after_kill_s\":{allDelivered:0.00},\"clients_with_wrong_messages\":{wrong}}}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recovery round {round}: {times.Length}/{moved.Length} moved clients recovered (not recovered: {notRecovered}); after the kill p50 {Percentile(0.5):0} ms, "
            + $"p99 {Percentile(0.99):0} ms, last {Percentile(1):0} ms; every message at every client {allDelivered:0.00} s after the kill; "
            + $"publisher {messages / publishSeconds:0}/s; clients with missing, doubled or reordered messages: {wrong}"));
        return wrong == 0 && times.Length == moved.Length && notRecovered == 0 ? 0 : 1;
    }

    private static string Required(OptionValues options, string name) =>
        options.Take(name) ?? throw new ArgumentException($"--{name} is required: {Usage}");

    private static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
