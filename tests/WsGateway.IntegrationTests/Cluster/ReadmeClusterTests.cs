using System.Text.RegularExpressions;
using WsGateway.IntegrationTests.Host;

namespace WsGateway.IntegrationTests.Cluster;

/// <summary>
/// Two gateways started as the README's "Several gateways" section starts them (the real host, its command lines,
/// the repository's gateway.json), on one Redis: a broadcast and a group message sent on either node reach everyone
/// concerned on both nodes exactly once.
/// </summary>
public sealed partial class ReadmeClusterTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wsgateway-readme-cluster-").FullName;
    private RedisServer _redis = null!;
    private readonly List<GatewayProcess> _gateways = [];

    public async Task InitializeAsync()
    {
        // The repository's configuration with its scripts and the Chat plugin, as a clone has them after a build.
        File.Copy(Path.Combine(BuildPaths.RepoRoot, "gateway.json"), Path.Combine(_folder, "gateway.json"));
        Directory.CreateDirectory(Path.Combine(_folder, "scripts"));
        File.Copy(Path.Combine(BuildPaths.SampleScripts, "broadcast.csx"), Path.Combine(_folder, "scripts", "broadcast.csx"));
        PluginFolders.Copy(Path.Combine(BuildPaths.SamplePlugins, "Chat"), Path.Combine(_folder, "artifacts", "plugins", "Chat"));
        _redis = await RedisServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await _redis.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Two_gateways_started_as_the_readme_says_share_broadcasts_and_groups()
    {
        var commandLines = ReadmeCommandLines();
        Assert.Equal(2, commandLines.Count);
        foreach (var arguments in commandLines)
        {
            // The README's Redis and ports, made this test's: its own redis-server, and free ports.
            var args = arguments.Select(a => a.Replace("127.0.0.1:6379", _redis.ConnectionString, StringComparison.Ordinal)).ToArray();
            args[Array.IndexOf(args, "--port") + 1] = "0";
            _gateways.Add(await GatewayProcess.StartAsync(_folder, args));
        }

        await using var one = await ListeningClient.ConnectAsync(new Uri($"ws://127.0.0.1:{_gateways[0].Port}/"), "gw-1 client");
        await using var two = await ListeningClient.ConnectAsync(new Uri($"ws://127.0.0.1:{_gateways[1].Port}/"), "gw-2 client");
        static bool ListsBoth(string? nodes) =>
            nodes is not null && nodes.Contains("gw-1:", StringComparison.Ordinal) && nodes.Contains("gw-2:", StringComparison.Ordinal);
        var nodes = await Eventually.ValueAsync(() => Nodes(one)!, ListsBoth, Eventually.Patience);
        Assert.True(ListsBoth(nodes), "the two nodes never listed each other: " + nodes);

        await one.SendAsync("broadcast from gw-1");
        await two.SendAsync("broadcast from gw-2");
        await ClusterGateways.AssertEachGetsItOnceAsync("from gw-1", one, two);
        await ClusterGateways.AssertEachGetsItOnceAsync("from gw-2", one, two);

        await one.SendAsync("join lobby");
        await two.SendAsync("join lobby");
        Assert.True(await one.HasReceivedAsync(m => m.EndsWith("joined lobby", StringComparison.Ordinal) && m.Contains("guest", StringComparison.Ordinal)));
        await two.SendAsync("say hello lobby");
        // The speaker is a member too, so its own line shows what everyone gets: "[lobby] guest-…: hello lobby".
        Assert.True(await two.HasReceivedAsync(m => m.StartsWith("[lobby] ", StringComparison.Ordinal)), "the speaker never heard itself: " + two.Describe());
        await ClusterGateways.AssertEachGetsItOnceAsync(two.Received.First(m => m.StartsWith("[lobby] ", StringComparison.Ordinal)), one, two);
    }

    /// <summary>What the <c>nodes</c> command answers to <paramref name="client"/> now.</summary>
    private static Task<string> Nodes(ListeningClient client) =>
        client.AskAsync("nodes", reply => reply.Contains(" session", StringComparison.Ordinal));

    /// <summary>The arguments after <c>--</c> of each <c>dotnet run</c> line in the README's "Several gateways" section.</summary>
    private static List<string[]> ReadmeCommandLines()
    {
        var readme = File.ReadAllText(Path.Combine(BuildPaths.RepoRoot, "README.md"));
        int start = readme.IndexOf("### Several gateways (Redis)", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"Several gateways (Redis)\" section");
        int end = readme.IndexOf("\n### ", start + 1, StringComparison.Ordinal);
        return [.. RunLine().Matches(readme[start..end]).Select(m => m.Groups["args"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))];
    }

    [GeneratedRegex(@"^dotnet run --project src/WsGateway.Host -- (?<args>.+)$", RegexOptions.Multiline)]
    private static partial Regex RunLine();
}
