using Serilog.Events;
using WsGateway.Options;

namespace WsGateway.Host;

/// <summary>What the host reads from its configuration, validated.</summary>
/// <param name="Gateway">The gateway's options.</param>
/// <param name="MinimumLevel">
/// <c>Serilog:MinimumLevel:Default</c>; null when the Serilog section names its own switch (<c>MinimumLevel:ControlledBy</c>).
/// </param>
internal sealed record HostSettings(GatewayOptions Gateway, LogEventLevel? MinimumLevel);
