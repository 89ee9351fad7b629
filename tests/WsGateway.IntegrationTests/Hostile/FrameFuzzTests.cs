using System.Diagnostics;
using System.Net.WebSockets;
using Serilog.Events;
using Xunit.Abstractions;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// A seeded smoke fuzz: about 2000 frames, valid and corrupted, over 100 raw connections on both routes. Each connection
/// must get exactly the answers its valid part calls for, then the close code its first violation calls for (or, after
/// garbage, any sane ending); the gateway must stay healthy.
/// </summary>
[Collection(nameof(RunAloneCollection))]
public sealed class FrameFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>Set to explore other inputs; a failure names the seed and the connection, which regenerate it byte for byte.</summary>
    public const string SeedVariable = "WSGATEWAY_FUZZ_SEED";

    private static readonly int Seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out int seed) ? seed : 6455;
    private const int Connections = 100;
    private const int MaxMessageBytes = 128 * 1024;
    private static readonly int[] SaneCloseCodes = [1000, 1002, 1003, 1007, 1008, 1009];

    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await TestGateway.StartAsync(o =>
        {
            o.Limits.MaxMessageBytes = MaxMessageBytes;
            // After its close frame the gateway waits for the client's last writes and FIN, however long they take.
            o.Limits.CloseTimeoutSeconds = Eventually.Patience.TotalSeconds;
        });
        SayCommand.AddTo(_gateway);
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Valid_and_corrupted_frames_get_sane_answers_and_the_gateway_stays_healthy()
    {
        var random = new Random(Seed);
        var plans = Enumerable.Range(0, Connections).Select(i => new FuzzPlanner(random, i, MaxMessageBytes).Build()).ToList();
        var outcomes = new FuzzOutcome[Connections];
        var stopwatch = Stopwatch.StartNew();
        // No deadline for the whole run: each connection has its own (FuzzClient), and a slow machine may need longer.
        await Parallel.ForEachAsync(plans, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (plan, cancellationToken) => outcomes[plan.Index] = await FuzzClient.RunAsync(plan, _gateway.Port, cancellationToken));
        var elapsed = stopwatch.Elapsed;

        var failures = plans.Select(plan => (plan, outcome: outcomes[plan.Index], problems: Problems(plan, outcomes[plan.Index])))
            .Where(x => x.problems.Count > 0)
            .Select(x => $"seed {Seed}, {x.plan}\n  => {x.outcome}\n  PROBLEMS: {string.Join("; ", x.problems)}")
            .ToList();
        output.WriteLine($"{plans.Sum(p => p.Frames)} frames, {plans.Sum(p => p.Bytes.Length)} bytes over {Connections} connections in " +
            $"{elapsed.TotalMilliseconds:0} ms");
        foreach (var group in plans.GroupBy(p => (p.Ending, Outcome: Summary(outcomes[p.Index]))).OrderBy(g => g.Key.Ending).ThenBy(g => g.Key.Outcome))
        {
            output.WriteLine($"  {group.Key.Ending,-13} {group.Key.Outcome}: {group.Count()}");
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        Assert.Contains(plans, p => p.Ending == FuzzEnding.Clean);
        Assert.Contains(plans, p => p.Ending == FuzzEnding.Determinate);
        Assert.Contains(plans, p => p.Ending == FuzzEnding.Indeterminate);

        // Healthy afterwards: every connection released, a new client served, the health route up, nothing logged as a bug.
        Assert.True(await Eventually.TrueAsync(() => _gateway.Gateway.ConnectionCount == 0, Eventually.Patience),
            $"{_gateway.Gateway.ConnectionCount} connections still open");
        using (var client = await _gateway.ConnectAsync("/echo"))
        {
            Assert.Equal("still healthy", await client.AskAsync("still healthy"));
            await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        }

        using var http = new HttpClient();
        var health = await http.GetAsync(_gateway.HttpUri("/healthz"));
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
        Assert.Empty(_gateway.Logs.Messages(LogEventLevel.Error));
    }

    private static string Summary(FuzzOutcome outcome) =>
        $"close {outcome.CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, TCP {outcome.End}";

    /// <summary>The oracle: what may and must come back for <paramref name="plan"/>.</summary>
    private static List<string> Problems(FuzzPlan plan, FuzzOutcome outcome)
    {
        var problems = new List<string>();
        if (outcome.Problem is not null)
        {
            problems.Add(outcome.Problem);
        }

        if (outcome.End == "timeout")
        {
            problems.Add("the gateway neither finished nor dropped the connection in time");
        }

        if (outcome.AfterClose.Count > 0)
        {
            problems.Add($"{outcome.AfterClose.Count} frames after the close frame");
        }

        if (outcome.End == "reset")
        {
            // The gateway half-closes and reads on before it lets go, so a reset can only mean it dropped TCP with
            // input unread, which also throws away whatever it had not transmitted yet.
            problems.Add("TCP was reset: what the gateway sent last may have been lost");
        }

        var data = outcome.BeforeClose.Where(f => f.Opcode is 1 or 2).ToList();
        var pongs = outcome.BeforeClose.Where(f => f.Opcode == 10).Select(f => f.Payload).ToList();
        bool closeFrameSeen = outcome.CloseCode is not null;
        switch (plan.Ending)
        {
            case FuzzEnding.Clean:
                ExpectCode(plan.ExpectedCloseCode);
                ExpectReplies(exactly: true);
                ExpectPongs(exactly: true);
                break;
            case FuzzEnding.Determinate:
                ExpectCode(plan.ExpectedCloseCode);
                // The echo route answers in the receive loop, so every earlier message is echoed before the close;
                // command replies come from the session's queue and a close may overtake the last of them.
                ExpectReplies(exactly: !plan.IsCommandRoute);
                ExpectPongs(exactly: true);
                break;
            case FuzzEnding.Indeterminate:
                if (closeFrameSeen && !SaneCloseCodes.Contains(outcome.CloseCode!.Value))
                {
                    problems.Add($"close code {outcome.CloseCode} is none of {string.Join('/', SaneCloseCodes)}");
                }

                // Garbage may parse as further messages, so more may come, but never something else first.
                ExpectPrefix(data, plan.Replies, (expected, frame) => expected.Matches(frame), "reply");
                ExpectPrefix(pongs, plan.Pongs, (expected, payload) => expected.AsSpan().SequenceEqual(payload), "pong");
                if (!plan.IsCommandRoute && data.Count < plan.Replies.Count)
                {
                    problems.Add($"only {data.Count} of the {plan.Replies.Count} echoes due before the garbage");
                }

                break;
        }

        return problems;

        void ExpectCode(int? code)
        {
            if (outcome.CloseCode != code)
            {
                problems.Add($"close code {outcome.CloseCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}, expected {code}");
            }
        }

        void ExpectReplies(bool exactly)
        {
            ExpectPrefix(data, plan.Replies, (expected, frame) => expected.Matches(frame), "reply");
            if (data.Count > plan.Replies.Count || (exactly && data.Count < plan.Replies.Count))
            {
                problems.Add($"{data.Count} data messages, expected {(exactly ? "" : "at most ")}{plan.Replies.Count}");
            }
        }

        void ExpectPongs(bool exactly)
        {
            ExpectPrefix(pongs, plan.Pongs, (expected, payload) => expected.AsSpan().SequenceEqual(payload), "pong");
            if (pongs.Count > plan.Pongs.Count || (exactly && pongs.Count < plan.Pongs.Count))
            {
                problems.Add($"{pongs.Count} pongs, expected {(exactly ? "" : "at most ")}{plan.Pongs.Count}");
            }
        }

        void ExpectPrefix<TExpected, TActual>(List<TActual> actual, IReadOnlyList<TExpected> expected, Func<TExpected, TActual, bool> matches, string what)
        {
            for (int i = 0; i < Math.Min(actual.Count, expected.Count); i++)
            {
                if (!matches(expected[i], actual[i]))
                {
                    problems.Add($"{what} {i} does not match: expected {expected[i]}");
                    return;
                }
            }
        }
    }
}
