namespace WsGateway.Options;

/// <summary>The whole of gateway.json except the <c>Serilog</c> section. Each property is one top-level key.</summary>
public sealed record GatewayOptions
{
    public ListenOptions Listen { get; set; } = new();
    public TlsOptions Tls { get; set; } = new();
    public HostOptions Hosts { get; set; } = new();
    public OriginOptions Origins { get; set; } = new();
    public AuthenticationOptions Authentication { get; set; } = new();
    public LimitsOptions Limits { get; set; } = new();
    public CompressionOptions Compression { get; set; } = new();
    public EchoOptions Echo { get; set; } = new();
    public CommandOptions Commands { get; set; } = new();
    public PluginOptions Plugins { get; set; } = new();
    public ScriptOptions Scripts { get; set; } = new();
    public ShutdownOptions Shutdown { get; set; } = new();
    public MetricsOptions Metrics { get; set; } = new();
    public ClusterOptions Cluster { get; set; } = new();
    public ProxyOptions Proxies { get; set; } = new();
    public ApiOptions Api { get; set; } = new();
    public HistoryOptions History { get; set; } = new();

    /// <summary>
    /// The folder relative paths in the configuration are resolved against (the folder of gateway.json).
    /// Not a configuration key.
    /// </summary>
    public string BaseDirectory { get; set; } = Directory.GetCurrentDirectory();

    public string ResolvePath(string path) => Path.GetFullPath(path, BaseDirectory);
}
