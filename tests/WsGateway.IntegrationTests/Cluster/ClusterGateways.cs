using System.Net;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Gateways of one cluster for the tests: a real <see cref="TestGateway"/> each, on the Redis given, with the shipped
/// <c>broadcast.csx</c> script and the sample Chat plugin (join, say, leave, who) copied into its own folders.
/// </summary>
internal static class ClusterGateways
{
    /// <summary>Short, so that nodes find each other (and forget each other) quickly.</summary>
    public const double HeartbeatSeconds = 0.5;

    /// <summary>How the markers of <see cref="ExchangeMarkersAsync"/> begin, so that a test can leave them out.</summary>
    public const string MarkerPrefix = "marker ";

    /// <summary>A channel prefix no other test class uses, so that clusters of different classes never hear each other.</summary>
    public static string UniquePrefix(string testClass) => $"test-{testClass}-{Guid.NewGuid():N}";

    public static Task<TestGateway> StartAsync(string redis, string channelPrefix, string nodeName) =>
        TestGateway.StartAsync(options =>
        {
            options.Cluster.Redis = redis;
            options.Cluster.ChannelPrefix = channelPrefix;
            options.Cluster.NodeName = nodeName;
            options.Cluster.HeartbeatSeconds = HeartbeatSeconds;
            var root = options.BaseDirectory;
            File.Copy(Path.Combine(BuildPaths.SampleScripts, "broadcast.csx"), Path.Combine(root, "scripts", "broadcast.csx"));
            var chat = Path.Combine(BuildPaths.SamplePlugins, "Chat");
            Assert.True(Directory.Exists(chat), $"The sample Chat plugin is not deployed at {chat}: build the solution first (dotnet build WsGateway.sln).");
            PluginFolders.Copy(chat, Path.Combine(root, "plugins", "Chat"));
        });

    /// <summary>Waits until every gateway's bus lists every one of them (each has heard the others' heartbeats).</summary>
    public static async Task WaitUntilTheySeeEachOtherAsync(params TestGateway[] gateways)
    {
        var names = gateways.Select(g => g.Gateway.Bus.NodeId).Order(StringComparer.Ordinal).ToArray();
        bool AllSeeAll() => gateways.All(g => g.Gateway.Bus.Nodes().Select(n => n.Id).Order(StringComparer.Ordinal).SequenceEqual(names));
        Assert.True(
            await Eventually.TrueAsync(AllSeeAll, Eventually.Patience),
            "The nodes did not find each other on the bus: " + string.Join("; ", gateways.Select(g =>
                $"{g.Gateway.Bus.NodeId} sees [{string.Join(", ", g.Gateway.Bus.Nodes().Select(n => n.Id))}], degraded: {g.Gateway.Bus.Degraded ?? "no"}")));
    }

    /// <summary>
    /// Waits until each of <paramref name="clients"/> has <paramref name="text"/>, then until no duplicate of it can
    /// still be on its way (<see cref="ExchangeMarkersAsync"/>), then asserts each has it exactly once.
    /// </summary>
    public static async Task AssertEachGetsItOnceAsync(string text, params ListeningClient[] clients)
    {
        foreach (var client in clients)
        {
            Assert.True(await client.HasReceivedAsync(text), $"{client.Name} never received \"{text}\"; it received: {client.Describe()}");
        }

        await ExchangeMarkersAsync(clients);
        foreach (var client in clients)
        {
            Assert.True(client.Count(text) == 1, $"{client.Name} received \"{text}\" {client.Count(text)} times: {client.Describe()}");
        }
    }

    /// <summary>
    /// Returns when whatever reached <paramref name="clients"/> before, duplicates included, has arrived: one client of
    /// each of their nodes broadcasts a marker, and each client waits for every marker.
    /// </summary>
    /// <remarks>
    /// A message reaches a connection by one of two paths, each in order: local delivery on the node that sent it, or
    /// that node's publish to Redis and the receiving node's subscription. A client gets its own node's marker the
    /// first way and the other node's the second, so any copy of an earlier message, on either path, comes before the
    /// markers. For the second path the earlier message must have been published to Redis before the marker: it has
    /// when the marker's sender has received it, which is why the senders are taken from <paramref name="clients"/>.
    /// </remarks>
    public static async Task ExchangeMarkersAsync(params ListeningClient[] clients)
    {
        var markers = new List<string>();
        foreach (var sender in clients.DistinctBy(c => c.Node))
        {
            var marker = MarkerPrefix + Guid.NewGuid().ToString("N");
            await sender.SendAsync("broadcast " + marker);
            markers.Add(marker);
        }

        foreach (var client in clients)
        {
            foreach (var marker in markers)
            {
                Assert.True(await client.HasReceivedAsync(marker), $"{client.Name} never received \"{marker}\"; it received: {client.Describe()}");
            }
        }
    }

    /// <summary>What <paramref name="client"/> received apart from markers.</summary>
    public static IReadOnlyList<string> WithoutMarkers(ListeningClient client) =>
        [.. client.Received.Where(m => !m.StartsWith(MarkerPrefix, StringComparison.Ordinal))];

    public static async Task<(HttpStatusCode Status, string Body)> ReadyzAsync(TestGateway gateway)
    {
        using var http = new HttpClient { Timeout = Eventually.Patience };
        using var response = await http.GetAsync(gateway.HttpUri("/readyz"));
        // The body is one line of text.
        return (response.StatusCode, (await response.Content.ReadAsStringAsync()).TrimEnd('\n'));
    }

    /// <summary>Polls <c>/readyz</c> until its answer satisfies <paramref name="accept"/>; returns the last answer.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> ReadyzUntilAsync(TestGateway gateway, Func<(HttpStatusCode Status, string Body), bool> accept) =>
        await Eventually.ValueAsync<(HttpStatusCode, string)>(async () => await ReadyzAsync(gateway), accept, Eventually.Patience);

    public static bool IsDegraded((HttpStatusCode Status, string Body) readyz) =>
        readyz.Status == HttpStatusCode.OK && readyz.Body.StartsWith("ready (degraded: ", StringComparison.Ordinal);

    /// <summary>
    /// The one short line a down bus gives clients (<c>/readyz</c>, <c>nodes</c>, the API): when, and that it
    /// reconnects; the Redis client's own words (hosts, failure types, versions) only go to the log.
    /// </summary>
    public static void AssertHonestBusDown(string line)
    {
        Assert.Matches(@"^cluster bus down since \d\d:\d\d:\d\dZ, reconnecting$", line);
        Assert.DoesNotContain("Redis", line, StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsPlainReady((HttpStatusCode Status, string Body) readyz) =>
        readyz.Status == HttpStatusCode.OK && readyz.Body == "ready";

    /// <summary>The <c>wsgateway_cluster_bus_up</c> gauge from <c>/metrics</c> (1 while the bus works, 0 while Redis is unreachable).</summary>
    public static Task<string> BusUpMetricAsync(TestGateway gateway) => MetricAsync(gateway, "wsgateway_cluster_bus_up");

    /// <summary>The value of the unlabelled metric <paramref name="name"/> on the gateway's /metrics, as written there.</summary>
    public static async Task<string> MetricAsync(TestGateway gateway, string name)
    {
        using var http = new HttpClient { Timeout = Eventually.Patience };
        var metrics = await http.GetStringAsync(gateway.HttpUri("/metrics"));
        return metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];
    }

    /// <summary>How many "Cluster bus down" warnings the gateway logged.</summary>
    public static int BusDownWarnings(TestGateway gateway) =>
        gateway.Logs.Events.Count(e => e.Level == Serilog.Events.LogEventLevel.Warning && e.MessageTemplate.Text.StartsWith("Cluster bus down", StringComparison.Ordinal));
}
