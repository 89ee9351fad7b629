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

        var options = new BroadcastOptions
        {
            Url = url,
            ReceiverUrl = receiverUrl,
            Receivers = values.Int("receivers", 1000),
            Size = values.Int("size", 32),
            Window = values.Int("window", 1),
            Prefix = values.Take("prefix") ?? "/bcast ",
            Stalled = values.Int("stalled", 0),
            EchoPrefix = values.Take("echo-prefix") ?? "",
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

        // Frames up to 125 bytes of payload plus the prefix keep one header shape; 10,000 receivers is far past the case.
        if (options.Receivers is < 1 or > 10_000 || options.Stalled < 0 || options.Stalled >= options.Receivers
            || options.Size is < SequenceDigits or > 4096 || options.Window is < 1 or > 1024
            || options.DurationSeconds is <= 0 or > 600 || options.WarmupSeconds is < 0 or > 600 || options.MaxBroadcasts < 1)
        {
            throw new ArgumentException(
                "out of range: 1 <= receivers <= 10000, 0 <= stalled < receivers, 8 <= size <= 4096, 1 <= window <= 1024, " +
                "0 < duration <= 600, 0 <= warmup <= 600, messages >= 1");
        }

        return options;
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
