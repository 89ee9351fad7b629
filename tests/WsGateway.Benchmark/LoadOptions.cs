using System.Text;

namespace WsGateway.Benchmark;

/// <summary>The load generator's command line. Every run is bounded twice: by time and by message count.</summary>
internal sealed class LoadOptions
{
    public const string Usage = """
        load --url ws://127.0.0.1:PORT/echo | tcp://127.0.0.1:PORT   (tcp: a raw TCP echo, the baseline)
             [--connections 64] [--size 32] [--kind text|binary|json] [--window 1]
             [--deflate on]   (offer permessage-deflate without context takeover; send the message compressed)
             [--text "echo hello" [--expect hello]]   (a fixed text message and the reply it should get)
             [--protocol ws|signalr|wsgateway]   (signalr: SignalR's JSON hub protocol on the hub's URL; each message invokes
                                        Echo(text) and the reply is the hub's push "Echo" of the same text;
                                        wsgateway: each message is a wsgateway.v1 call of --text, answered by a reply
                                        of --expect and the call's result)
             [--warmup 1] [--duration 5] [--messages 1000000]   (seconds, seconds, per connection)
             [--verify all|none] [--server NAME] [--case NAME] [--round N] [--server-pid PID]
        """;

    public required Uri Url { get; init; }
    public int Connections { get; init; } = 64;
    public int Size { get; init; } = 32;
    public bool Binary { get; init; }

    /// <summary>Chat-like JSON text of about <see cref="Size"/> bytes: what compression is for.</summary>
    public bool Json { get; init; }

    public bool Deflate { get; init; }

    /// <summary>SignalR's JSON hub protocol over the WebSocket (see <see cref="SignalRProtocol"/>).</summary>
    public bool SignalR { get; init; }

    /// <summary>wsgateway.v1 calls (see <see cref="CallProtocolFrames"/>): --text is the command line, --expect its one reply.</summary>
    public bool Calls { get; init; }
    public int Window { get; init; } = 1;
    public string? Text { get; init; }
    public string? Expect { get; init; }
    public double WarmupSeconds { get; init; } = 1;
    public double DurationSeconds { get; init; } = 5;
    public long MessagesPerConnection { get; init; } = 1_000_000;
    public bool Verify { get; init; } = true;
    public string Server { get; init; } = "";
    public string Case { get; init; } = "";
    public int Round { get; init; }
    public int? ServerPid { get; init; }

    /// <summary>A raw TCP echo sends our (masked) frames back byte for byte.</summary>
    public bool RawTcp => Url.Scheme == "tcp";

    /// <summary>What every connection sends, unmasked.</summary>
    public byte[] Payload() => Text is not null
        ? Encoding.UTF8.GetBytes(Text)
        : Binary ? RandomBytes(Size) : Encoding.ASCII.GetBytes(Json ? ChatJson(Size) : Letters(Size));

    /// <summary>What the server should answer, unmasked; for the raw TCP echo the caller masks it like the request.</summary>
    public byte[] ExpectedReply() => Expect is not null ? Encoding.UTF8.GetBytes(Expect) : Payload();

    public string Kind => Binary ? "binary" : Json ? "json" : "text";

    public static LoadOptions Parse(string[] args)
    {
        var values = OptionValues.Parse(args);
        var url = new Uri(values.Take("url") ?? throw new ArgumentException("--url is required"));
        if (url.Scheme is not ("ws" or "tcp"))
        {
            throw new ArgumentException("--url must be ws://... or tcp://...");
        }

        string kind = values.Take("kind") ?? "text";
        string verify = values.Take("verify") ?? "all";
        string protocol = values.Take("protocol") ?? "ws";
        if (protocol is not ("ws" or "signalr" or "wsgateway"))
        {
            throw new ArgumentException("--protocol is ws, signalr or wsgateway");
        }

        var options = new LoadOptions
        {
            Url = url,
            Connections = values.Int("connections", 64),
            Size = values.Int("size", 32),
            Binary = kind switch { "text" or "json" => false, "binary" => true, _ => throw new ArgumentException("--kind is text, binary or json") },
            Json = kind == "json",
            Deflate = (values.Take("deflate") ?? "off") switch { "on" => true, "off" => false, _ => throw new ArgumentException("--deflate is on or off") },
            SignalR = protocol == "signalr",
            Calls = protocol == "wsgateway",
            Window = values.Int("window", 1),
            Text = values.Take("text"),
            Expect = values.Take("expect"),
            WarmupSeconds = values.Double("warmup", 1),
            DurationSeconds = values.Double("duration", 5),
            MessagesPerConnection = values.Long("messages", 1_000_000),
            Verify = verify switch { "all" => true, "none" => false, _ => throw new ArgumentException("--verify is all or none") },
            Server = values.Take("server") ?? url.Scheme,
            Case = values.Take("case") ?? "",
            Round = values.Int("round", 0),
            ServerPid = values.NullableInt("server-pid"),
        };

        values.EnsureAllTaken();

        if (options.Connections is < 1 or > 10_000 || options.Window < 1 || options.Size < 0
            || options.DurationSeconds is <= 0 or > 600 || options.WarmupSeconds is < 0 or > 600 || options.MessagesPerConnection < 1)
        {
            throw new ArgumentException("out of range: 1 <= connections <= 10000, window >= 1, size >= 0, 0 < duration <= 600, 0 <= warmup <= 600, messages >= 1");
        }

        if (options.Expect is not null && options.Text is null)
        {
            throw new ArgumentException("--expect needs --text");
        }

        if (options.SignalR && (url.Scheme != "ws" || options.Binary || options.Json || options.Deflate || options.Expect is not null))
        {
            throw new ArgumentException("--protocol signalr takes a ws:// URL and text (--kind text or --text), without --deflate or --expect");
        }

        if (options.Calls && (url.Scheme != "ws" || options.Text is null || options.Expect is null || options.Deflate))
        {
            throw new ArgumentException("--protocol wsgateway takes a ws:// URL, --text COMMAND-LINE and --expect REPLY, without --deflate");
        }

        return options;
    }

    /// <summary>A JSON array of chat messages, cut to <paramref name="size"/> characters (closed so it stays JSON-like).</summary>
    private static string ChatJson(int size)
    {
        var json = new StringBuilder("[");
        for (int i = 0; json.Length < size; i++)
        {
            json.Append(i == 0 ? "" : ",").Append($"{{\"id\":{1000 + i},\"user\":\"user{i % 7}\",\"room\":\"lobby\",\"text\":\"message number {i} in the lobby\"}}");
        }

        return json.ToString(0, Math.Max(0, size - 1)) + "]";
    }

    private static string Letters(int size) => string.Create(size, 0, static (span, _) =>
    {
        for (int i = 0; i < span.Length; i++)
        {
            span[i] = (char)('a' + i % 26);
        }
    });

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        new Random(6455).NextBytes(bytes);
        return bytes;
    }
}
