using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Serilog;
using WsGateway;
using WsGateway.Host;

// Usage: WsGateway.Host [--config gateway.json] [--port N] [Section:Key=value ...]
if (!HostConfiguration.TryLoad(args, out var configuration, out var options, out var error))
{
    Console.Error.WriteLine($"wsgateway: {error}");
    return 2;
}

Log.Logger = new LoggerConfiguration()
    .ReadFrom.Configuration(configuration)
    .Enrich.FromLogContext()
    .CreateLogger();

using var stop = new CancellationTokenSource();
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

try
{
    await using var gateway = new Gateway(options, Log.Logger);
    await gateway.StartAsync(stop.Token);
    await Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
    await gateway.StopAsync();
    return 0;
}
catch (Exception ex)
{
    Log.Fatal(ex, "Gateway failed");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

void Stop(PosixSignalContext context)
{
    // Keep the runtime from exiting at once: shutdown drains connections first.
    context.Cancel = true;
    stop.Cancel();
}
