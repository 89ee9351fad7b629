using System.Text;

namespace WsGateway.Benchmark;

/// <summary>The broadcast mode's command line. Bounded like <see cref="LoadOptions"/>: by time and by broadcast count.</summary>
internal sealed class BroadcastOptions
{
    public const string Usage = """
        broadcast --url ws://127.0.0.1:PORT/PATH [--receivers 1000] [--size 32] [--window 1]
             [--receiver-url ws://127.0.0.1:PORT2/PATH]   (every other receiver connects here; the sender stays on --url)
             [--prefix "/bcast "]   (what makes the server broadcast the rest of the message; WsGateway: "broadcast ")
             [--stalled 0]          (receivers that never read, among --receivers)
             [--echo-prefix ""]     (what makes the server echo the rest; the stalled ones ask for a large echo they never read)
             [--protocol ws|signalr]   (signalr: SignalR's JSON hub protocol on the hub's URL; the sender invokes
                                        Broadcast(payload) and every connection gets the push "Broadcast"; no --stalled)
             [--group NAME]         (every connection, the sender too, joins group NAME first and the sender sends to it.
                                     ws: each sends --join-prefix + NAME and waits for the reply "joined NAME"; --prefix
                                     then defaults to "/group NAME ". signalr: JoinGroup(NAME), then BroadcastGroup(NAME, payload))
             [--join-prefix "/join "]   (ws with --group: what asks the server to add the connection; WsGateway: "group-join ")
             [--publish-api KEY]    (WsGateway: the sender publishes with POST /api/v1/publish on --url's host and port,
                                     to --group or to everyone, with this API key; it still gets its own copy)
             [--warmup 1] [--duration 5] [--messages 1000000]   (seconds, seconds, broadcasts)
             [--server NAME] [--case NAME] [--round N] [--server-pid PID]
             [--receiver-server-pid PID]   (the server behind --receiver-url: its CPU is added to the server's)
             [--redis-pid PID]             (a server between the two, e.g. Redis: its CPU is reported on its own)
        """;

    // The payload starts with the broadcast's number in hex, so every delivery says which broadcast it is.
    public const int SequenceDigits = 8;

    public required Uri Url { get; init; }

    /// <summary>Where every other receiver connects instead of <see cref="Url"/> (a second node); null: all on Url.</summary>
    public Uri? ReceiverUrl { get; init; }
    public int Receivers { get; init; } = 1000;
    public int Size { get; init; } = 32;
    public int Window { get; init; } = 1;
    public string Prefix { get; init; } = "/bcast ";
    public int Stalled { get; init; }
    public string EchoPrefix { get; init; } = "";

    /// <summary>SignalR's JSON hub protocol over the WebSocket (see <see cref="SignalRProtocol"/>).</summary>
    public bool SignalR { get; init; }

    /// <summary>The group every connection joins (before the run) and the sender sends to; null: a broadcast to all.</summary>
    public string? Group { get; init; }

    /// <summary>A plain WebSocket with a group: the request that joins, followed by the group's name.</summary>
    public string JoinPrefix { get; init; } = "/join ";

    /// <summary>The API key the sender publishes with through the HTTP API; null: it sends over its WebSocket.</summary>
    public string? PublishApiKey { get; init; }
    public double WarmupSeconds { get; init; } = 1;
    public double DurationSeconds { get; init; } = 5;
    public int MaxBroadcasts { get; init; } = 1_000_000;
    public string Server { get; init; } = "";
    public string Case { get; init; } = "";
    public int Round { get; init; }
    public int? ServerPid { get; init; }

    /// <summary>The process behind <see cref="ReceiverUrl"/>; its CPU counts as the server's too.</summary>
    public int? ReceiverServerPid { get; init; }

    /// <summary>A process between the servers (Redis), whose CPU is reported apart from theirs.</summary>
    public int? RedisPid { get; init; }

    public static BroadcastOptions Parse(string[] args)
    {
        var values = OptionValues.Parse(args);
        var url = new Uri(values.Take("url") ?? throw new ArgumentException("--url is required"));
        if (url.Scheme != "ws")
        {
            throw new ArgumentException("--url must be ws://...");
        }

        var receiverUrl = values.Take("receiver-url") is { } r ? new Uri(r) : null;
        if (receiverUrl is not null && receiverUrl.Scheme != "ws")
        {
            throw new ArgumentException("--receiver-url must be ws://...");
        }

        var group = values.Take("group");
        var options = new BroadcastOptions
        {
            Url = url,
            ReceiverUrl = receiverUrl,
            Receivers = values.Int("receivers", 1000),
            Size = values.Int("size", 32),
            Window = values.Int("window", 1),
            Prefix = values.Take("prefix") ?? (group is null ? "/bcast " : $"/group {group} "),
            Stalled = values.Int("stalled", 0),
            EchoPrefix = values.Take("echo-prefix") ?? "",
            SignalR = (values.Take("protocol") ?? "ws") switch { "signalr" => true, "ws" => false, _ => throw new ArgumentException("--protocol is ws or signalr") },
            Group = group,
            JoinPrefix = values.Take("join-prefix") ?? "/join ",
            PublishApiKey = values.Take("publish-api"),
            WarmupSeconds = values.Double("warmup", 1),
            DurationSeconds = values.Double("duration", 5),
            MaxBroadcasts = values.Int("messages", 1_000_000),
            Server = values.Take("server") ?? "",
            Case = values.Take("case") ?? "",
            Round = values.Int("round", 0),
            ServerPid = values.NullableInt("server-pid"),
            ReceiverServerPid = values.NullableInt("receiver-server-pid"),
            RedisPid = values.NullableInt("redis-pid"),
        };
        values.EnsureAllTaken();

        // 10,000 receivers (the group10k case) and the sender are 10,001 sockets, well within one process's 20,000 files.
        if (options.Receivers is < 1 or > 10_000 || options.Stalled < 0 || options.Stalled >= options.Receivers
            || options.Size is < SequenceDigits or > 4096 || options.Window is < 1 or > 1024
            || options.DurationSeconds is <= 0 or > 600 || options.WarmupSeconds is < 0 or > 600 || options.MaxBroadcasts < 1)
        {
            throw new ArgumentException(
                "out of range: 1 <= receivers <= 10000, 0 <= stalled < receivers, 8 <= size <= 4096, 1 <= window <= 1024, " +
                "0 < duration <= 600, 0 <= warmup <= 600, messages >= 1");
        }

        // A SignalR server closes a connection it has heard nothing from for 30 s (ClientTimeoutInterval), and the
        // receivers send nothing after their handshake. The stalled receivers' one large echo would be refused too
        // (MaximumReceiveMessageSize, 32 KB).
        if (options.SignalR && (options.Stalled > 0 || options.WarmupSeconds + options.DurationSeconds > 20))
        {
            throw new ArgumentException("--protocol signalr takes no --stalled, and warmup + duration <= 20 s");
        }

        if (options.SignalR && options.PublishApiKey is not null)
        {
            throw new ArgumentException("--publish-api is WsGateway's HTTP API; not with --protocol signalr");
        }

        // The name travels inside text commands and JSON strings as it is: no spaces, nothing to escape.
        if (options.Group is { } name && (name.Length is 0 or > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            throw new ArgumentException("--group: 1-64 letters, digits, '-', '_' or '.'");
        }

        return options;
    }

    /// <summary>The sender's request for broadcast 0 (unframed), and where its payload starts in it.</summary>
    public (byte[] Request, int PayloadOffset) Request()
    {
        var payload = Payload();
        if (!SignalR)
        {
            var prefix = Encoding.UTF8.GetBytes(Prefix);
            return ([.. prefix, .. payload], prefix.Length);
        }

        string text = Encoding.ASCII.GetString(payload);
        var record = Group is null
            ? SignalRProtocol.Invocation("Broadcast", null, text)
            : SignalRProtocol.Invocation("BroadcastGroup", null, Group, text);
        return (record, record.AsSpan().LastIndexOf(payload));
    }

    /// <summary>A plain WebSocket with a group: the text message that joins it, and the reply that says it is done.</summary>
    public (byte[] Request, byte[] Reply) Join() =>
        (Encoding.UTF8.GetBytes(JoinPrefix + Group), Encoding.UTF8.GetBytes($"joined {Group}"));

    /// <summary>What comes before and after the payload in every delivery: nothing on a plain WebSocket, the record of the
    /// hub's push "Broadcast" with SignalR.</summary>
    public (byte[] Prefix, byte[] Suffix) Delivery()
    {
        if (!SignalR)
        {
            return ([], []);
        }

        var payload = Payload();
        var record = SignalRProtocol.Invocation("Broadcast", null, Encoding.ASCII.GetString(payload));
        int at = record.AsSpan().LastIndexOf(payload);
        return (record[..at], record[(at + payload.Length)..]);
    }

    /// <summary>Receiver <paramref name="index"/> connects to <see cref="ReceiverUrl"/> when there is one and the index is odd.</summary>
    public bool OnReceiverUrl(int index) => ReceiverUrl is not null && index % 2 == 1;

    /// <summary>The payload of broadcast 0; broadcast n differs in its first <see cref="SequenceDigits"/> bytes only.</summary>
    public byte[] Payload()
    {
        var payload = new byte[Size];
        WriteSequence(payload, 0);
        for (int i = SequenceDigits; i < payload.Length; i++)
        {
            payload[i] = (byte)('a' + i % 26);
        }

        return payload;
    }

    public static void WriteSequence(Span<byte> destination, int sequence)
    {
        for (int i = SequenceDigits - 1; i >= 0; i--, sequence >>= 4)
        {
            destination[i] = (byte)"0123456789abcdef"[sequence & 0xf];
        }
    }

    /// <returns>The number, or -1 when the bytes are not eight lowercase hex digits.</returns>
    public static int ReadSequence(ReadOnlySpan<byte> source)
    {
        int sequence = 0;
        for (int i = 0; i < SequenceDigits; i++)
        {
            int digit = source[i] switch
            {
                >= (byte)'0' and <= (byte)'9' => source[i] - '0',
                >= (byte)'a' and <= (byte)'f' => source[i] - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            sequence = (sequence << 4) | digit;
        }

        return sequence;
    }
}
