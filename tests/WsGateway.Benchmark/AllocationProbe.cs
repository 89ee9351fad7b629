using System.Globalization;
using System.Net;
using WsGateway.Options;

namespace WsGateway.Benchmark;

/// <summary>
/// Allocations per message of the gateway's echo and command paths: a real <see cref="Gateway"/> in this process, real
/// sockets, <see cref="GC.GetTotalAllocatedBytes(bool)"/> over N round trips. The client's own share is measured
/// against the raw TCP echo in the same process and subtracted. A second pass samples the runtime's allocation ticks
/// (one event per ~100 KB allocated, naming the type that crossed the mark) to say what is allocated.
/// </summary>
/// <remarks>Usage: <c>alloc [--messages 5000]</c> (per connection; each scenario also warms up with a quarter of that).</remarks>
internal static class AllocationProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        long messages = args is ["--messages", var m] ? long.Parse(m, CultureInfo.InvariantCulture) : 5_000;
        string work = Directory.CreateTempSubdirectory("wsgateway-alloc-").FullName;
        try
        {
            // The command scenario runs the sample `echo` script; plugins are left out (none are needed).
            var scripts = Directory.CreateDirectory(Path.Combine(work, "scripts")).FullName;
            await File.WriteAllTextAsync(Path.Combine(scripts, "echo.csx"), "// description: Repeats its arguments\nArgs\n");
            var options = new GatewayOptions
            {
                Listen = new ListenOptions { Address = "127.0.0.1", Port = 0 },
                Limits = new LimitsOptions { KeepAliveSeconds = 0, MaxConnections = 0, MaxConnectionsPerIp = 0 },
                Commands = new CommandOptions { Paths = ["/"], MessagesPerSecond = 0 },
                Plugins = new PluginOptions { Directory = Directory.CreateDirectory(Path.Combine(work, "plugins")).FullName },
                Scripts = new ScriptOptions { Directory = scripts },
                BaseDirectory = work,
            };

            await using var gateway = new Gateway(options, Serilog.Core.Logger.None);
            await gateway.StartAsync();
            await using var tcp = new TcpEchoServer(0);
            string ws = $"ws://127.0.0.1:{gateway.EndPoint.Port}";
            AllocationScenario[] scenarios =
            [
                Make("client alone (raw TCP echo, 32 B)", $"tcp://{tcp.EndPoint}", 64, "--size", "32"),
                Make("/echo 64 × 32 B text", $"{ws}/echo", 64, "--size", "32"),
                Make("/echo 64 × 4 KiB binary", $"{ws}/echo", 64, "--size", "4096", "--kind", "binary"),
                Make("/echo 1 × 64 KiB binary", $"{ws}/echo", 1, "--size", "65536", "--kind", "binary"),
                Make("/ command `echo hello`, 64 conns", $"{ws}/", 64, "--text", "echo hello", "--expect", "hello"),
            ];

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{messages:N0} round trips per connection after a warm-up; bytes are per message (request + its echo)"));
            double clientPerMessage = 0;
            foreach (var scenario in scenarios)
            {
                var (bytes, total, gen0, gen1, gen2) = await MeasureAsync(scenario, messages);
                double perMessage = (double)bytes / total;
                bool baseline = scenario.Options.RawTcp;
                if (baseline)
                {
                    clientPerMessage = perMessage;
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{scenario.Name,-38} {total,9:N0} msgs  {perMessage,8:N1} B/msg all  " +
                    $"{(baseline ? "" : $"{perMessage - clientPerMessage,8:N1} B/msg gateway  ")}GCs gen0 {gen0} gen1 {gen1} gen2 {gen2}"));
            }

            Console.WriteLine();
            Console.WriteLine("What is allocated while measuring (allocation-tick samples, ~100 KB each; bytes per message estimated):");
            foreach (var scenario in scenarios.Skip(1))
            {
                AllocationTickListener? listener = null;
                var (_, total, _, _, _) = await MeasureAsync(scenario, messages, () => listener = new AllocationTickListener());
                listener!.Dispose();
                Console.WriteLine($"  {scenario.Name}:");
                foreach (var (type, bytes) in listener.Snapshot().OrderByDescending(p => p.Value).Take(8))
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {(double)bytes / total,8:N1} B/msg  {type}"));
                }
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static AllocationScenario Make(string name, string url, int connections, params string[] args) =>
        new(name, url, connections, LoadOptions.Parse(["--url", url, "--connections", connections.ToString(CultureInfo.InvariantCulture), .. args]));

    /// <param name="beforeMeasuring">Called after connecting and warming up, just before the measured round trips.</param>
    private static async Task<(long Bytes, long Messages, int Gen0, int Gen1, int Gen2)> MeasureAsync(
        AllocationScenario scenario, long messages, Action? beforeMeasuring = null)
    {
        var options = scenario.Options;
        var payload = options.Payload();
        byte opcode = options.Binary ? ClientFrame.Binary : ClientFrame.Text;
        var frame = ClientFrame.Build(opcode, payload);
        var expected = options.RawTcp ? ClientFrame.Masked(payload) : options.ExpectedReply();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var connections = new List<ClientConnection>();
        for (int i = 0; i < scenario.Connections; i++)
        {
            connections.Add(await ClientConnection.ConnectAsync(options, frame, expected, timeout.Token));
        }

        try
        {
            long warmup = Math.Max(1, messages / 4);
            await Task.WhenAll(connections.Select(c => Task.Run(() => c.RunAsync(new RunClock(0, 120), warmup, timeout.Token))));

            beforeMeasuring?.Invoke();
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            await Task.WhenAll(connections.Select(c => Task.Run(() => c.RunAsync(new RunClock(0, 120), warmup + messages, timeout.Token))));
            long after = GC.GetTotalAllocatedBytes(precise: true);
            return (after - before, messages * connections.Count,
                GC.CollectionCount(0) - gen0, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2);
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.CloseAsync(options.RawTcp)));
            connections.ForEach(c => c.Dispose());
        }
    }
}
