using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using WsGateway.Options;

namespace WsGateway.IntegrationTests.Proxies;

/// <summary>
/// The load balancer configurations and <c>Proxies</c> settings exactly as README.md gives them, so that the tests
/// run what the documentation tells operators to use.
/// </summary>
public static partial class ReadmeProxySnippets
{
    private static readonly Lazy<string> Readme = new(() => File.ReadAllText(Path.Combine(BuildPaths.RepoRoot, "README.md")));

    /// <summary>The nginx block of "Several gateways (Redis)": the <c>http</c>-level map, upstream and server.</summary>
    public static string Nginx => Block(Section("### Several gateways (Redis)"), "nginx").Single();

    /// <summary>The HAProxy block of "Several gateways (Redis)": frontend and backend.</summary>
    public static string Haproxy => Block(Section("### Several gateways (Redis)"), "haproxy").Single();

    /// <summary>The <c>Proxies</c> settings "Behind a proxy" gives for nginx (the first JSON block).</summary>
    public static ProxyOptions ForNginx => ParseProxies(Block(Section("### Behind a proxy"), "json")[0]);

    /// <summary>The <c>Proxies</c> settings "Behind a proxy" gives for HAProxy with send-proxy-v2 (the second JSON block).</summary>
    public static ProxyOptions ForHaproxy => ParseProxies(Block(Section("### Behind a proxy"), "json")[1]);

    /// <summary>The README's gateway ports (12345, 12346) in its load balancer snippets.</summary>
    public static readonly int[] GatewayPorts = [12345, 12346];

    // Enums by name (ForwardedHeaders: ["For", "Proto"]), as the configuration binder reads them.
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private static string Section(string heading)
    {
        var text = Readme.Value;
        int start = text.IndexOf(heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no \"{heading}\" section");
        int end = text.IndexOf("\n### ", start + heading.Length, StringComparison.Ordinal);
        return end < 0 ? text[start..] : text[start..end];
    }

    private static List<string> Block(string section, string language) =>
        [.. Fence().Matches(section).Where(m => m.Groups["lang"].Value == language).Select(m => m.Groups["body"].Value)];

    private static ProxyOptions ParseProxies(string json)
    {
        using var document = JsonDocument.Parse("{" + json + "}");
        return document.RootElement.GetProperty("Proxies").Deserialize<ProxyOptions>(Json)
               ?? throw new InvalidOperationException("README's Proxies block is empty");
    }

    [GeneratedRegex(@"```(?<lang>[a-z]+)\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Fence();
}
