using System.Net;
using System.Net.Sockets;

namespace WsGateway.Benchmark;

/// <summary>
/// WebSocket connections that complete their handshake and then send and read nothing: one client process's share
/// of the idle mode. Connection n binds to source address 127.0.0.(2 + n / 2500) so no address runs short of
/// ephemeral ports (about 28,000 per address and server port).
/// </summary>
internal sealed class IdleConnections
{
    public const int PerAddress = 2_500;
    public const int MaxConnections = 40 * PerAddress;

    // Handshakes in flight per process: enough to keep a server busy, few enough not to overflow its accept backlog.
    private const int Concurrency = 32;

    // setsockopt(SOL_IP, IP_BIND_ADDRESS_NO_PORT): bind the address now, pick the port at connect, per destination.
    private const int SolIp = 0;
    private const int IpBindAddressNoPort = 24;

    private static readonly byte[] CloseFrame = ClientFrame.Build(ClientFrame.Close, [0x03, 0xe8]);

    private readonly Socket?[] _sockets;
    private readonly ErrorTally _errors = new();

    private IdleConnections(int count) => _sockets = new Socket?[count];

    public int Open => _sockets.Count(s => s is not null);

    public long Failed => _errors.Count;

    public string? FirstError => _errors.First;

    /// <summary>Connects connections <paramref name="first"/> to first + count − 1 and completes their handshakes.</summary>
    public static async Task<IdleConnections> OpenAsync(Uri url, int first, int count, CancellationToken cancellationToken, IdleDeflate deflate = IdleDeflate.None)
    {
        var connections = new IdleConnections(count);
        var server = new IPEndPoint(IPAddress.Parse(url.Host), url.Port);
        int next = -1;
        var workers = Enumerable.Range(0, Math.Min(Concurrency, count)).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.SetRawSocketOption(SolIp, IpBindAddressNoPort, BitConverter.GetBytes(1));
                    socket.Bind(new IPEndPoint(SourceAddress(first + i), 0));
                    await socket.ConnectAsync(server, cancellationToken);
                    var (start, end) = await ClientHandshake.RunAsync(
                        socket, url, buffer, cancellationToken, deflate == IdleDeflate.None ? null : IdleDeflateExchange.Offer);
                    if (deflate != IdleDeflate.None)
                    {
                        await IdleDeflateExchange.RunAsync(socket, deflate, buffer, start, end, cancellationToken);
                    }

                    connections._sockets[i] = socket;
                }
                catch (Exception ex)
                {
                    socket.Dispose();
                    lock (connections._errors)
                    {
                        connections._errors.Add(ex);
                    }
                }
            }
        }, cancellationToken));
        await Task.WhenAll(workers);
        return connections;
    }

    /// <summary>Connections the server has written to or closed while they were idle: a readable idle socket.</summary>
    public int CountDisturbed() => _sockets.Count(s => s is not null && s.Poll(0, SelectMode.SelectRead));

    /// <summary>Closes every connection with a close frame and waits for the server's answer, all within <paramref name="timeout"/>.</summary>
    public async Task CloseAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        int next = -1;
        var workers = Enumerable.Range(0, Concurrency).Select(_ => Task.Run(async () =>
        {
            var buffer = new byte[4096];
            int i;
            while ((i = Interlocked.Increment(ref next)) < _sockets.Length)
            {
                if (_sockets[i] is not { } socket)
                {
                    continue;
                }

                try
                {
                    await socket.SendAsync(CloseFrame, SocketFlags.None, deadline.Token);
                    while (await socket.ReceiveAsync(buffer.AsMemory(), SocketFlags.None, deadline.Token) > 0)
                    {
                        // The server's close frame, then its hang-up.
                    }

                    socket.Shutdown(SocketShutdown.Both);
                }
                catch (Exception ex) when (ex is SocketException or OperationCanceledException)
                {
                    // The figures are taken; a slow close changes nothing in them.
                }
                finally
                {
                    socket.Dispose();
                    _sockets[i] = null;
                }
            }
        }));
        await Task.WhenAll(workers);
    }

    /// <summary>
    /// The child process of the idle mode. Talks to its parent in lines: prints "ready", connects on "connect" and
    /// prints "connected OPEN FAILED [FIRST ERROR]", closes on "close" (or when stdin ends or the timeout passes) and
    /// prints "closed DISTURBED" (connections the server had written to or closed while idle).
    /// </summary>
    /// <remarks>Usage: <c>idle-child --url URL --first N --count N --timeout SECONDS [--deflate none|offer|active]</c>.</remarks>
    public static async Task<int> RunChildAsync(string[] args)
    {
        var values = OptionValues.Parse(args);
        var url = new Uri(values.Take("url") ?? throw new ArgumentException("--url is required"));
        int first = values.Int("first", 0);
        int count = values.Int("count", 1);
        var timeout = TimeSpan.FromSeconds(values.Double("timeout", 120));
        var deflate = IdleDeflateExchange.Parse(values.Take("deflate"));
        values.EnsureAllTaken();

        using var stop = new CancellationTokenSource(timeout);
        Console.WriteLine("ready");
        if (await ReadLineAsync(stop.Token) != "connect")
        {
            return 1;
        }

        var connections = await OpenAsync(url, first, count, stop.Token, deflate);
        Console.WriteLine($"connected {connections.Open} {connections.Failed} {connections.FirstError?.ReplaceLineEndings(" ")}".TrimEnd());

        // Holds them until told to close, the parent goes away (stdin ends), or the timeout passes.
        _ = await ReadLineAsync(stop.Token);
        int disturbed = connections.CountDisturbed();
        await connections.CloseAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"closed {disturbed}");
        return 0;
    }

    private static IPAddress SourceAddress(int connection) =>
        new([127, 0, 0, (byte)(2 + connection / PerAddress)]);

    // Console.In reads synchronously; a thread of its own waits for the line (not a pool thread: the client sees one
    // core, so its pool starts with one thread) and the timeout can win.
    private static async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await Task.Factory.StartNew(Console.In.ReadLine, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
