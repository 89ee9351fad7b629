using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace WsGateway.Host;

/// <summary>
/// The service manager's readiness protocol (<c>Type=notify</c>), written out instead of linking libsystemd: one
/// datagram per state change to the Unix socket in <c>$NOTIFY_SOCKET</c>.
/// See <see href="https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html"/>.
/// </summary>
/// <remarks>
/// Outside systemd (no <c>$NOTIFY_SOCKET</c>) <see cref="FromEnvironment"/> returns null and the host sends nothing.
/// A send that fails is dropped: the service manager going away must not take the gateway with it.
/// </remarks>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly Socket _socket;
    private readonly UnixDomainSocketEndPoint _endPoint;

    private SystemdNotifier(UnixDomainSocketEndPoint endPoint, TimeSpan? watchdogInterval)
    {
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _endPoint = endPoint;
        WatchdogInterval = watchdogInterval;
    }

    /// <summary>
    /// How often to send <c>WATCHDOG=1</c>: half of <c>WatchdogSec</c>, as sd_watchdog_enabled(3) advises; null when
    /// the unit sets no watchdog or the watchdog is meant for another process (<c>$WATCHDOG_PID</c>).
    /// </summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>A notifier for the socket systemd gave this process, or null when it gave none.</summary>
    public static SystemdNotifier? FromEnvironment() =>
        FromVariables(Environment.GetEnvironmentVariable, Environment.ProcessId);

    /// <param name="variable">Reads <c>NOTIFY_SOCKET</c>, <c>WATCHDOG_USEC</c> and <c>WATCHDOG_PID</c>.</param>
    /// <param name="processId">This process, compared with <c>$WATCHDOG_PID</c>.</param>
    internal static SystemdNotifier? FromVariables(Func<string, string?> variable, int processId)
    {
        var path = variable("NOTIFY_SOCKET");
        // A path, or '@' for a name in Linux's abstract namespace (which .NET spells with a leading NUL).
        if (string.IsNullOrEmpty(path) || !(path[0] is '/' or '@'))
        {
            return null;
        }

        var endPoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        return new SystemdNotifier(endPoint, ReadWatchdogInterval(variable, processId));
    }

    /// <summary>Sends one or more <c>KEY=value</c> lines in one datagram.</summary>
    public void Notify(string state)
    {
        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endPoint);
        }
        catch (SocketException)
        {
            // systemd is not listening (any more): nothing to tell it.
        }
        catch (ObjectDisposedException)
        {
            // The host finished while a watchdog tick was on its way.
        }
    }

    /// <summary>Sends <c>WATCHDOG=1</c> every <see cref="WatchdogInterval"/> until <paramref name="stop"/>.</summary>
    /// <remarks>
    /// A tick needs a thread-pool thread and a timer, so a gateway whose pool is starved or whose process hangs misses
    /// it and systemd restarts it (<c>Restart=on-failure</c> counts a watchdog timeout as a failure).
    /// </remarks>
    public async Task RunWatchdogAsync(CancellationToken stop)
    {
        if (WatchdogInterval is not { } interval)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                Notify("WATCHDOG=1");
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The host is exiting.
        }
    }

    public void Dispose() => _socket.Dispose();

    private static TimeSpan? ReadWatchdogInterval(Func<string, string?> variable, int processId)
    {
        if (!long.TryParse(variable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var microseconds)
            || microseconds <= 0)
        {
            return null;
        }

        // Set by systemd when the watchdog is for one process of several (a wrapper script started us, say).
        if (variable("WATCHDOG_PID") is { Length: > 0 } pid
            && pid != processId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        // PeriodicTimer wants a millisecond at least.
        return TimeSpan.FromTicks(Math.Max(microseconds * (TimeSpan.TicksPerMicrosecond / 2), TimeSpan.TicksPerMillisecond));
    }
}
