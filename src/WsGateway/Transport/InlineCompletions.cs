using System.Net;
using System.Net.Sockets;

namespace WsGateway.Transport;

/// <summary>
/// The runtime's socket engine on Linux hands every completed read and write to the thread pool, unless the process
/// starts it with <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>; then completions run on the engine's own
/// threads (one per core), which saves a thread hop per read (measured here: CPU per 32-byte echo nearly halved).
/// Code that runs on such a thread holds up every socket it serves, so the gateway keeps only its receive loops'
/// framing and its sends there and hands everything else to the thread pool (<see cref="SocketThread"/>). On by
/// default (<c>Listen:InlineCompletions</c>).
/// </summary>
internal static class InlineCompletions
{
    public const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Asks the runtime for inline completions, or for none (so that turning the option off wins over a variable
    /// inherited from the environment). It reads the variable once, when the process's first asynchronous socket
    /// operation starts its engine, so call this before any socket is used (the host does, first thing).
    /// </summary>
    public static void Request(bool inline) => Environment.SetEnvironmentVariable(Variable, inline ? "1" : "0");

    /// <summary>True when the variable asks for inline completions (set by <see cref="Request"/> or from outside).</summary>
    public static bool Requested => Environment.GetEnvironmentVariable(Variable) == "1";

    /// <summary>
    /// Whether completions really run inline in this process: a pending receive on a loopback pair, and whether its
    /// continuation runs on a thread-pool thread.
    /// </summary>
    public static async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listener.LocalEndPoint!, cancellationToken);
        using var server = await listener.AcceptAsync(cancellationToken);

        // The continuation is registered while nothing has been sent, so it runs where the completion runs.
        var buffer = new byte[1];
        var completedOffThePool = RunsOffThePoolAsync(server.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken));
        await client.SendAsync(buffer, SocketFlags.None, cancellationToken);
        return await completedOffThePool;
    }

    private static async Task<bool> RunsOffThePoolAsync(ValueTask<int> pendingReceive)
    {
        await pendingReceive.ConfigureAwait(false);
        return !Thread.CurrentThread.IsThreadPoolThread;
    }
}
