using System.Net;
using System.Net.Sockets;

namespace WsGateway.Listening;

/// <summary>
/// Why the listening socket could not be bound, in one line an operator can act on. These are mistakes in the
/// configuration or clashes with the machine, reported like configuration errors rather than as a crash.
/// </summary>
internal static class ListenProblem
{
    /// <summary>Ports below this need privileges on Linux (root or CAP_NET_BIND_SERVICE).</summary>
    private const int FirstUnprivilegedPort = 1024;

    /// <param name="endPoint">The address and port the options asked for.</param>
    /// <param name="error">The socket error of the failed bind or listen.</param>
    /// <param name="systemMessage">The system's text for errors this has no better words for.</param>
    public static string Describe(IPEndPoint endPoint, SocketError error, string systemMessage)
    {
        var why = error switch
        {
            SocketError.AddressAlreadyInUse => "address already in use (another gateway? use --port)",
            SocketError.AccessDenied when endPoint.Port is > 0 and < FirstUnprivilegedPort =>
                "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE; use --port)",
            SocketError.AccessDenied => "permission denied (use --port or another Listen:Address)",
            SocketError.AddressNotAvailable => "address not available (no network interface has it; check Listen:Address)",
            _ => systemMessage,
        };
        return $"cannot listen on {endPoint}: {why}";
    }
}
