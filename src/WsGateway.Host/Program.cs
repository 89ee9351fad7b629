using System.Reflection;
using System.Runtime.InteropServices;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using WsGateway;
using WsGateway.Host;

// Usage: WsGateway.Host [--config gateway.json] [--port N] [Section:Key=value ...]
if (!HostConfiguration.TryBuild(args, out var configuration, out var error))
{
    return ConfigurationError([error]);
}

// Disposing stops watching the file.
using var watched = configuration;
var settings = configuration.Read(out var errors);
if (settings is null)
{
    return ConfigurationError(errors);
}

Gateway.PrepareProcess(settings.Gateway);
var level = new LoggingLevelSwitch(settings.MinimumLevel ?? LogEventLevel.Information);
try
{
    Log.Logger = HostLogging.CreateLogger(configuration.Root, settings, level);
}
catch (Exception ex)
{
    // Whatever a sink throws while it is built from its arguments is a mistake in the Serilog section.
    var cause = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
    return ConfigurationError([$"Serilog: {cause.Message}"]);
}

using var stop = new CancellationTokenSource();
using var skipGrace = new CancellationTokenSource();
int signals = 0;
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

// Under systemd (Type=notify) the unit is "active" once READY=1 arrives, and a watchdog tick missed restarts it.
using var systemd = SystemdNotifier.FromEnvironment();
using var watchdogStop = new CancellationTokenSource();
var watchdog = systemd?.RunWatchdogAsync(watchdogStop.Token) ?? Task.CompletedTask;
if (systemd?.WatchdogInterval is { } watchdogInterval)
{
    Log.Information("systemd watchdog: WATCHDOG=1 every {Interval} ms", watchdogInterval.TotalMilliseconds);
}

try
{
    await using var gateway = new Gateway(settings.Gateway, Log.Logger);
    // A taken port is found before plugins and scripts load, and reported like the configuration mistakes above.
    if (!gateway.TryListen(out var listenProblem))
    {
        return ConfigurationError([listenProblem]);
    }

    using var reloader = new ConfigurationReloader(configuration, gateway.Options, level, Log.Logger);
    var reloading = reloader.RunAsync(stop.Token);
    await gateway.StartAsync(stop.Token);
    // Plugins and scripts are loaded and the listener accepts: what /readyz calls ready.
    systemd?.Notify($"READY=1\nSTATUS=Listening on port {gateway.EndPoint.Port}");
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    await reloading;
    systemd?.Notify($"STOPPING=1\nSTATUS=Draining {gateway.ConnectionCount} connections");
    await gateway.StopAsync(skipGrace.Token);
    return 0;
}
catch (Exception ex)
{
    Log.Fatal(ex, "Gateway failed");
    return 1;
}
finally
{
    await watchdogStop.CancelAsync();
    await watchdog;
    await Log.CloseAndFlushAsync();
}

// Configuration mistakes (and a port that cannot be bound) end the process before it serves, with one line per
// mistake and no stack trace.
static int ConfigurationError(IEnumerable<string> errors)
{
    foreach (var line in errors)
    {
        Console.Error.WriteLine($"wsgateway: {line}");
    }

    return 2;
}

void Stop(PosixSignalContext context)
{
    // Keep the runtime from exiting at once: shutdown drains connections first.
    context.Cancel = true;
    // The first signal starts the shutdown; the next one cuts its readiness grace short (the drain still runs).
    (Interlocked.Increment(ref signals) == 1 ? stop : skipGrace).Cancel();
}
