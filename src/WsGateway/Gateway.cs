using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Serilog;
using WsGateway.Api;
using WsGateway.Authentication;
using WsGateway.Broadcasting;
using WsGateway.Commands;
using WsGateway.Connections;
using WsGateway.Diagnostics;
using WsGateway.Handshake;
using WsGateway.Http;
using WsGateway.Listening;
using WsGateway.Options;
using WsGateway.Plugins;
using WsGateway.Scripts;
using WsGateway.Transport;

namespace WsGateway;

/// <summary>
/// The whole gateway, wired from <see cref="GatewayOptions"/>: command registry and its sources, routes, listener.
/// The host and the integration tests start it the same way.
/// </summary>
public sealed class Gateway : IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly GatewayServer _server;
    private readonly CommandRoute _commandRoute;
    private readonly PluginCatalog _plugins;
    private readonly ScriptCatalog _scripts;
    private readonly X509Certificate2? _certificate;
    private volatile bool _started;
    private volatile bool _stopping;

    public Gateway(GatewayOptions options, ILogger log)
        : this(options, log, bus: null)
    {
    }

    /// <param name="bus">Replaces the bus that <c>Cluster</c> would choose (in-process, or Redis when <c>Cluster:Redis</c> is set).</param>
    internal Gateway(GatewayOptions options, ILogger log, IMessageBus? bus)
    {
        Options = new LiveOptions(options);
        var nodeId = NodeName(options.Cluster);
        // Every line says which node wrote it, for logs gathered from several gateways.
        log = log.ForContext("Node", nodeId);
        _log = log;
        Metrics = new GatewayMetrics();
        Bus = bus ?? (options.Cluster.Redis.Length == 0
            ? new LocalMessageBus(nodeId)
            : new RedisMessageBus(options.Cluster, nodeId, log));
        Metrics.WatchBus(Bus.NodeId, () => Bus.Degraded is null, () => (Bus as RedisMessageBus)?.Dropped ?? 0);
        Registry = new CommandRegistry(log);
        _commandRoute = new CommandRoute(Registry, Bus, Options, Metrics);
        Registry.SetSource(HelpCommand.SourceKey, [
            HelpCommand.Create(Registry), WhoAmICommand.Create(), NodesCommand.Create(Bus),
            .. _commandRoute.HistoryEnabled ? [HistoryCommand.Create(_commandRoute.History)] : Array.Empty<CommandDescriptor>(),
        ]);

        var routes = new Dictionary<string, IWebSocketRoute>(StringComparer.Ordinal);
        foreach (var path in options.Echo.Paths)
        {
            routes[path] = EchoRoute.Instance;
        }

        foreach (var path in options.Commands.Paths)
        {
            routes[path] = _commandRoute;
        }

        Http = new HttpRouter();
        Http.Map("/healthz", _ => HttpResponse.Text(200, "ok"));
        // "/" without Upgrade is the web console; a WebSocket handshake on "/" still reaches the command route.
        ConsoleAssets = StaticAssets.LoadEmbedded();
        Http.Fallback = ConsoleAssets.Respond;
        // A node whose cluster bus is down still serves its own sessions, so it stays ready: taking it out of the load
        // balancer would turn a partial outage (no cross-node messages) into a full one for its clients.
        Http.Map("/readyz", _ => Ready
            ? HttpResponse.Text(200, Bus.Degraded is { } degraded ? $"ready (degraded: {degraded})" : "ready")
            : HttpResponse.Text(503, _stopping ? "draining" : "starting: plugins and scripts are still loading"));
        Http.Map(
            "/metrics",
            async _ =>
            {
                using var body = new MemoryStream();
                await Metrics.ExportAsync(body, CancellationToken.None);
                return new HttpResponse(200, "text/plain; version=0.0.4; charset=utf-8", body.ToArray());
            },
            (request, remote) => MetricsAccess.Check(request, remote, Options.Current.Metrics));

        _certificate = CertificateLoader.Load(options);
        Authenticators = new AuthenticatorRegistry();
        var authentication = new HandshakeAuthentication(Options, Authenticators, log);
        Sessions = new SessionDirectory(_commandRoute);
        var api = new ApiRoutes(Options, _commandRoute, Sessions, () => authentication.Jwt, log);
        Http.MapPrefix(ApiRoutes.Prefix, (request, body, remote) => api.RouteAsync(request, body, remote));
        var decision = new UpgradeDecision(routes, new OriginPolicy(Options), authentication);
        _server = new GatewayServer(Options, Http, decision, Metrics, _certificate, log);
        _plugins = new PluginCatalog(options, Registry, log) { Authenticators = Authenticators, Hooks = _commandRoute.Hooks, Reloads = Metrics.Reloads };
        _plugins.LoadAttempted += (_, succeeded) => Metrics.Reloaded("plugin", succeeded);
        _scripts = new ScriptCatalog(options.ResolvePath(options.Scripts.Directory), options.Scripts, Registry, log) { Hooks = _commandRoute.Hooks, Reloads = Metrics.Reloads };
        _scripts.Published += (_, compiled) => Metrics.Reloaded("script", compiled);
    }

    internal CommandRegistry Registry { get; }

    /// <summary>What plugins run when a session opens and closes.</summary>
    internal SessionHookRegistry Hooks => _commandRoute.Hooks;

    /// <summary>The command route: its sessions, groups and users, and what reaches them.</summary>
    internal CommandRoute CommandRoute => _commandRoute;

    /// <summary>The sessions of the cluster, as the HTTP API lists and disconnects them.</summary>
    internal SessionDirectory Sessions { get; }

    /// <summary>Carries broadcasts and group messages to the other gateways of the cluster.</summary>
    internal IMessageBus Bus { get; }

    /// <summary>The authenticators plugins define (used by <c>plugin:NAME</c> in <c>Authentication:Methods</c>).</summary>
    internal AuthenticatorRegistry Authenticators { get; }

    /// <summary>The options in force; <see cref="LiveOptions.Reload"/> applies a changed configuration.</summary>
    public LiveOptions Options { get; }

    internal GatewayMetrics Metrics { get; }

    internal HttpRouter Http { get; }

    internal StaticAssets ConsoleAssets { get; }

    /// <summary>True once plugins and scripts are loaded and the listener is up, until shutdown starts (<c>/readyz</c>).</summary>
    public bool Ready => _started && !_stopping;

    /// <summary>The bound address; with port 0 in the options, the port the system chose.</summary>
    public IPEndPoint EndPoint => _server.LocalEndPoint;

    /// <summary>Open WebSocket connections on every route.</summary>
    public int ConnectionCount => _server.ConnectionCount;

    /// <summary>The bytes all connections buffer now, held to <c>Limits:MemoryBudgetBytes</c>.</summary>
    internal BufferBudget Budget => _server.Budget;

    /// <summary>
    /// Applies the settings that belong to the whole process (<c>Listen:InlineCompletions</c>). The runtime reads them
    /// once, when its socket engine starts: call this first thing, before anything in the process uses a socket.
    /// </summary>
    public static void PrepareProcess(GatewayOptions options) => InlineCompletions.Request(options.Listen.InlineCompletions);

    /// <summary>
    /// Binds the listening socket without accepting yet, so that a taken port or a wrong address is reported before
    /// plugins and scripts load. <see cref="StartAsync"/> does this first by itself; call this to report the problem.
    /// </summary>
    /// <param name="problem">
    /// Why not, in one line: <c>cannot listen on 127.0.0.1:12345: address already in use (another gateway? use --port)</c>.
    /// </param>
    public bool TryListen([NotNullWhen(false)] out string? problem)
    {
        try
        {
            _server.Listen();
            problem = null;
            return true;
        }
        catch (SocketException ex)
        {
            problem = ListenProblem.Describe(_server.ConfiguredEndPoint, ex.SocketErrorCode, ex.Message);
            return false;
        }
    }

    /// <summary>
    /// Binds the listening socket (throwing <see cref="SocketException"/> when it cannot), loads plugins and scripts,
    /// then starts accepting: the first client already sees every command; connections made meanwhile wait.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        _server.Listen();
        await _plugins.StartAsync(cancellationToken);
        await _scripts.StartAsync(cancellationToken);
        await _commandRoute.StartAsync(cancellationToken);
        await ReportInlineCompletionsAsync(cancellationToken);
        // Ready before the first accept, so a probe that waited in the listen queue is not told "starting".
        _started = true;
        _server.Start();
        _log.Information(
            "Listening on {Scheme}://{Host}:{Port} as node {Node} ({Bus})", _certificate is null ? "ws" : "wss", FormatHost(EndPoint.Address), EndPoint.Port,
            Bus.NodeId, Bus is LocalMessageBus ? "alone: no Cluster:Redis" : "cluster bus: Redis");
        if (HostFilter.Effective(Options.Current.Hosts.Allowed, EndPoint.Address) is null)
        {
            _log.Warning(
                "Hosts:Allowed is empty and {Address} is not a loopback address: requests for any host name are accepted. " +
                "List the names clients use (DNS rebinding protection)", FormatHost(EndPoint.Address));
        }
    }

    private async Task ReportInlineCompletionsAsync(CancellationToken cancellationToken)
    {
        if (!Options.Current.Listen.InlineCompletions && !InlineCompletions.Requested)
        {
            return;
        }

        if (await InlineCompletions.ProbeAsync(cancellationToken))
        {
            _log.Information(
                "Socket completions run inline on the socket engine's threads ({Variable}=1); handshakes, HTTP routes and commands run on the thread pool",
                InlineCompletions.Variable);
        }
        else
        {
            _log.Warning(
                "Listen:InlineCompletions is on, but this process's socket engine started before it could apply (call Gateway.PrepareProcess " +
                "before anything uses a socket, or set the option to false); completions go through the thread pool");
        }
    }

    /// <summary>
    /// Answers <c>/readyz</c> with 503 for <see cref="ShutdownOptions.ReadinessGraceSeconds"/> while serving as usual,
    /// then stops accepting, drains within <see cref="ShutdownOptions.DrainSeconds"/> and closes every connection
    /// with 1001.
    /// </summary>
    /// <param name="skipGrace">Ends the readiness grace early (a second Ctrl+C); the drain still runs.</param>
    public async Task StopAsync(CancellationToken skipGrace = default)
    {
        _stopping = true;
        var grace = TimeSpan.FromSeconds(Options.Current.Shutdown.ReadinessGraceSeconds);
        if (grace > TimeSpan.Zero && !skipGrace.IsCancellationRequested)
        {
            // New clients are still served: a load balancer that has not yet seen the 503 keeps sending them here.
            _log.Information(
                "Shutting down: /readyz answers 503 for {Grace} s before the listener closes (signal again to skip)",
                grace.TotalSeconds);
            await Task.Delay(grace, skipGrace).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        _log.Information("Shutting down: draining {Count} connections", _server.ConnectionCount);
        await _server.StopAsync(TimeSpan.FromSeconds(Options.Current.Shutdown.DrainSeconds));
        _log.Information("Stopped");
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        await Bus.DisposeAsync();
        await _plugins.DisposeAsync();
        await _scripts.DisposeAsync();
        _certificate?.Dispose();
    }

    /// <summary><c>Cluster:NodeName</c>, or the machine's name and the process id (unique on one machine).</summary>
    private static string NodeName(ClusterOptions cluster) =>
        cluster.NodeName.Length > 0 ? cluster.NodeName : $"{Environment.MachineName.ToLowerInvariant()}-{Environment.ProcessId}";

    private static string FormatHost(IPAddress address) =>
        address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
}
