using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using WsGateway.Benchmark;
using WsGateway.Benchmark.Soak;

// The load generator and its helpers; tests/WsGateway.Benchmark/run.sh drives them. Modes:
//   load ...                       one run; prints one JSON line on stdout and a summary on stderr
//   broadcast ...                  one broadcast run (receivers and a sender); the same output
//   idle ...                       memory per idle connection and CPU per handshake of a server; the same output
//   idle-child ...                 one client process of the idle mode (started by it)
//   soak --host HOST.dll --out DIR the real host under mixed load for --seconds, sampled; report.md, samples.jsonl, result.json
//   tcp-echo [--port 0]            the raw TCP echo baseline server; logs "Listening on tcp://HOST:PORT"
//   report RESULTS.jsonl           markdown tables (medians over rounds) from the JSON lines of a session
//   alloc [--messages N] ...       allocations per message of an in-process gateway (see AllocationProbe)
//   recovery ...                   one round of recovery.sh (clients of a killed gateway recover on another; RecoveryRun)
string mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "load";
string[] rest = args.Length > 0 && mode == args[0] ? args[1..] : args;
try
{
    switch (mode)
    {
        case "load":
            return Print(await LoadGenerator.RunAsync(LoadOptions.Parse(rest)));
        case "broadcast":
            return Print(await BroadcastGenerator.RunAsync(BroadcastOptions.Parse(rest)));
        case "idle":
            return Print(await IdleGenerator.RunAsync(IdleOptions.Parse(rest)));
        case "idle-child":
            return await IdleConnections.RunChildAsync(rest);
        case "soak":
            var soak = await SoakRun.RunAsync(SoakOptions.Parse(rest));
            Console.WriteLine(JsonSerializer.Serialize(soak, SoakRun.Json));
            Console.Error.WriteLine(SoakReport.Summary(soak));
            return soak.Errors == 0 ? 0 : 1;
        case "tcp-echo":
            int port = rest is ["--port", var p] ? int.Parse(p, CultureInfo.InvariantCulture) : 0;
            await using (var server = new TcpEchoServer(port))
            {
                Console.WriteLine($"Listening on tcp://{server.EndPoint}");
                await WaitForSignalAsync();
            }

            return 0;
        case "report":
            Console.Write(Report.Render(Report.Read(rest.Single())));
            return 0;
        case "alloc":
            return await AllocationProbe.RunAsync(rest);
        case "recovery":
            return await RecoveryRun.RunAsync(rest);
        case "recovery-publisher":
            return await RecoveryRun.PublishAsync(rest);
        default:
            throw new ArgumentException($"unknown mode {mode}\n{LoadOptions.Usage}\n{BroadcastOptions.Usage}\n{IdleOptions.Usage}\n{SoakOptions.Usage}");
    }
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"benchmark: {ex.Message}");
    return 2;
}

static int Print(RunResult result)
{
    Console.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }));
    Console.Error.WriteLine(Summary(result));
    return result.Errors == 0 ? 0 : 1;
}

static string Summary(RunResult r) => r.Mode switch
{
    "idle" => string.Create(CultureInfo.InvariantCulture,
        $"{r.Server,-18} {r.Case,-10} round {r.Round}: {r.Connections:N0} idle connections, server RSS {r.RssBeforeBytes / 1e6:N1} → {r.RssOpenBytes / 1e6:N1} MB " +
        $"({r.RssPerConnectionBytes:N0} B each), {r.ServerCpuUsPerHandshake:N1} µs CPU per handshake, connected in {r.ConnectSeconds:N2} s  " +
        $"errors {r.Errors}{(r.FirstError is null ? "" : $" ({r.FirstError})")}  cpu client {r.ClientCpu:0.00} server {Cpu(r)}"),
    "broadcast" => string.Create(CultureInfo.InvariantCulture,
        $"{r.Server,-18} {r.Case,-10} round {r.Round}: {r.MessagesPerSecond,10:N0} deliveries/s ({r.BroadcastsPerSecond:N0} broadcasts/s)  " +
        $"p50 {r.P50Us:N0} µs  p99 {r.P99Us:N0} µs  errors {r.Errors}{(r.FirstError is null ? "" : $" ({r.FirstError})")}  " +
        $"{(r.Missing is > 0 || r.Duplicates is > 0 ? $"missing {r.Missing:N0} duplicates {r.Duplicates:N0}  " : "")}" +
        $"cpu client {r.ClientCpu:0.00} server {Cpu(r)}{(r.StalledDropped is { } dropped ? $"  stalled receiver {(dropped ? "dropped" : "open")}" : "")}") +
        TwoServers(r),
    _ => string.Create(CultureInfo.InvariantCulture,
        $"{r.Server,-18} {r.Case,-8} round {r.Round}: {r.MessagesPerSecond,10:N0} msg/s {r.MegabytesPerSecond,8:N1} MB/s  " +
        $"p50 {r.P50Us:N0} µs  p99 {r.P99Us:N0} µs  p99.9 {r.P999Us:N0} µs  errors {r.Errors}{(r.FirstError is null ? "" : $" ({r.FirstError})")}  " +
        $"cpu client {r.ClientCpu:0.00} server {Cpu(r)}"),
};

// With a receiver URL: each URL's deliveries and latency, the second server's CPU, and Redis's.
static string TwoServers(RunResult r) =>
    (r.ReceiverUrl is null ? "" : string.Create(CultureInfo.InvariantCulture,
        $"  | on --url {r.UrlDeliveriesPerSecond:N0}/s p50 {r.UrlP50Us:N0} p99 {r.UrlP99Us:N0} µs; " +
        $"on --receiver-url {r.ReceiverUrlDeliveriesPerSecond:N0}/s p50 {r.ReceiverUrlP50Us:N0} p99 {r.ReceiverUrlP99Us:N0} µs, its server {r.ReceiverServerCpu:0.00}")) +
    (r.RedisCpu is { } redis ? string.Create(CultureInfo.InvariantCulture, $"  redis {redis:0.00} ({r.RedisCpuUsPerMessage:0.00} µs/msg)") : "") +
    (r.ServerJitCpu is > 0 ? string.Create(CultureInfo.InvariantCulture, $"  server JIT {r.ServerJitCpu:0.00}") : "");

static string Cpu(RunResult r) => string.Create(CultureInfo.InvariantCulture,
    $"{r.ServerCpu?.ToString("0.00", CultureInfo.InvariantCulture) ?? "?"}{(r.ServerCpuUsPerMessage is { } us ? $" ({us:0.00} µs/msg)" : "")}");

static async Task WaitForSignalAsync()
{
    // A server run by run.sh: stops on SIGTERM or Ctrl+C, and by itself after two hours whatever happens.
    using var stop = new CancellationTokenSource(TimeSpan.FromHours(2));
    using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
    using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
}
