using System.Buffers;
using System.Text;
using System.Text.Json;
using WsGateway.Contracts;

namespace WsGateway.Broadcasting;

/// <summary>
/// What nodes send each other over Redis, as small JSON objects, each with its node (<c>n</c>) and instance (<c>i</c>):
/// <list type="bullet">
/// <item>a text message to everyone or a group: <c>{"k":"m","g":GROUP,"t":TEXT}</c>, <c>g</c> null for everyone,
/// with <c>"fs":SESSION,"fu":USER</c> when a session sent it (the form every version of the gateway reads);</item>
/// <item>any other message (to a user or a session, with JSON data, or with an event name):
/// <c>{"k":"x","a":"*"|"g"|"u"|"s","to":NAME,"t":TEXT or "d":JSON,"e":EVENT,"fs":…,"fu":…}</c>; a node from before it
/// ignores it with a warning rather than delivering a user's message to everyone;</item>
/// <item>either with <c>"o":OFFSET,"ep":EPOCH</c> first when it is kept in its group's history (Redis adds them:
/// <see cref="RedisHistoryStore"/>);</item>
/// <item>a heartbeat <c>{"k":"h","s":SESSIONS}</c> or a goodbye <c>{"k":"bye"}</c>.</item>
/// </list>
/// The instance is random per process: a node skips what it sent itself even when another node has been given the
/// same name. Pure: no I/O; a payload that does not parse gives a reason, never an exception.
/// </summary>
internal static class BusPayload
{
    public static byte[] Message(BusMessage message, string instance) => Write(json =>
    {
        var plain = message.Data is null && message.Event is null && message.To.Kind is AudienceKind.Everyone or AudienceKind.Group;
        json.WriteString("k", plain ? "m" : "x");
        json.WriteString("n", message.OriginNode);
        json.WriteString("i", instance);
        if (plain)
        {
            if (message.To.Name is { } group)
            {
                json.WriteString("g", group);
            }
            else
            {
                json.WriteNull("g");
            }
        }
        else
        {
            json.WriteString("a", AudienceCode(message.To.Kind));
            if (message.To.Name is { } name)
            {
                json.WriteString("to", name);
            }

            if (message.Event is { } eventName)
            {
                json.WriteString("e", eventName);
            }
        }

        if (message.Data is { } data)
        {
            json.WritePropertyName("d");
            json.WriteRawValue(data, skipInputValidation: true);
        }
        else
        {
            json.WriteString("t", message.Text);
        }

        if (message.SenderSession is not null)
        {
            json.WriteString("fs", message.SenderSession);
            json.WriteString("fu", message.SenderUser);
        }
    });

    public static byte[] Heartbeat(string node, string instance, int sessions) => Write(json =>
    {
        json.WriteString("k", "h");
        json.WriteString("n", node);
        json.WriteString("i", instance);
        json.WriteNumber("s", sessions);
    });

    public static byte[] Goodbye(string node, string instance) => Write(json =>
    {
        json.WriteString("k", "bye");
        json.WriteString("n", node);
        json.WriteString("i", instance);
    });

    /// <summary>A question to every node (<c>{"k":"q","q":ID,"op":"sessions"|"disconnect"|"activity","u","g","sid","c","r"}</c>).</summary>
    public static byte[] Query(string node, string instance, string id, ClusterQuery query) => Write(json =>
    {
        json.WriteString("k", "q");
        json.WriteString("n", node);
        json.WriteString("i", instance);
        json.WriteString("q", id);
        json.WriteString("op", query.Kind switch
        {
            ClusterQueryKind.Disconnect => "disconnect",
            ClusterQueryKind.Activity => "activity",
            _ => "sessions",
        });
        WriteIfSet(json, "u", query.User);
        WriteIfSet(json, "g", query.Group);
        WriteIfSet(json, "sid", query.Session);
        if (query.Kind == ClusterQueryKind.Disconnect)
        {
            json.WriteNumber("c", query.CloseCode);
            json.WriteString("r", query.Reason ?? "");
        }
    });

    /// <summary>A node's answer to the question <paramref name="id"/> (<c>{"k":"a","q":ID,"dc":N,"ac":{…},"ss":[…]}</c>).</summary>
    public static byte[] Answer(string instance, string id, NodeAnswer answer) => Write(json =>
    {
        json.WriteString("k", "a");
        json.WriteString("n", answer.Node);
        json.WriteString("i", instance);
        json.WriteString("q", id);
        json.WriteNumber("dc", answer.Disconnected);
        if (answer.Activity is { } activity)
        {
            // Written by ActivityReport from this node's own figures: valid JSON.
            json.WritePropertyName("ac");
            json.WriteRawValue(activity, skipInputValidation: true);
        }

        json.WriteStartArray("ss");
        foreach (var session in answer.Sessions)
        {
            json.WriteStartObject();
            json.WriteString("id", session.Id);
            WriteIfSet(json, "u", session.User);
            json.WriteStartArray("ro");
            foreach (var role in session.Roles)
            {
                json.WriteStringValue(role);
            }

            json.WriteEndArray();
            WriteIfSet(json, "a", session.Address);
            json.WriteString("p", session.Path);
            json.WriteString("t", session.ConnectedAt);
            json.WriteStartArray("g");
            foreach (var group in session.Groups)
            {
                json.WriteStringValue(group);
            }

            json.WriteEndArray();
            json.WriteNumber("mi", session.Traffic.MessagesIn);
            json.WriteNumber("bi", session.Traffic.BytesIn);
            json.WriteNumber("mo", session.Traffic.MessagesOut);
            json.WriteNumber("bo", session.Traffic.BytesOut);
            if (session.Running is { } running)
            {
                json.WriteString("rc", running.Command);
                json.WriteString("rs", running.Since);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    });

    /// <returns>Null when <paramref name="payload"/> is one of ours; otherwise why not.</returns>
    public static string? TryRead(ReadOnlySpan<byte> payload, out Parsed parsed)
    {
        parsed = default;
        string? kind = null, node = null, instance = null, group = null, text = null, senderSession = null, senderUser = null;
        string? audience = null, to = null, data = null, eventName = null, activity = null;
        string? queryId = null, operation = null, user = null, sessionId = null, reason = null;
        int sessions = 0, closeCode = 0, disconnected = 0;
        long? offset = null;
        string? epoch = null;
        List<SessionSummary>? summaries = null;
        try
        {
            var json = new Utf8JsonReader(payload);
            if (!json.Read() || json.TokenType != JsonTokenType.StartObject)
            {
                return "not a JSON object";
            }

            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString();
                json.Read();
                switch (name)
                {
                    case "k": kind = json.GetString(); break;
                    case "n": node = json.GetString(); break;
                    case "i": instance = json.GetString(); break;
                    case "g": group = json.TokenType == JsonTokenType.Null ? null : json.GetString(); break;
                    case "t": text = json.GetString(); break;
                    case "a": audience = json.GetString(); break;
                    case "to": to = json.GetString(); break;
                    case "e": eventName = json.GetString(); break;
                    case "d":
                        // The value as it was written (an object, an array or a scalar), kept as JSON text.
                        var start = (int)json.TokenStartIndex;
                        json.Skip();
                        data = Encoding.UTF8.GetString(payload[start..(int)json.BytesConsumed]);
                        break;
                    case "q": queryId = json.GetString(); break;
                    case "op": operation = json.GetString(); break;
                    case "u": user = json.GetString(); break;
                    case "sid": sessionId = json.GetString(); break;
                    case "c": closeCode = json.GetInt32(); break;
                    case "r": reason = json.GetString(); break;
                    case "dc": disconnected = json.GetInt32(); break;
                    case "ss": summaries = ReadSessions(ref json); break;
                    case "ac":
                        var from = (int)json.TokenStartIndex;
                        json.Skip();
                        activity = Encoding.UTF8.GetString(payload[from..(int)json.BytesConsumed]);
                        break;
                    case "fs": senderSession = json.GetString(); break;
                    case "fu": senderUser = json.GetString(); break;
                    case "s": sessions = json.GetInt32(); break;
                    case "o": offset = json.GetInt64(); break;
                    case "ep": epoch = json.GetString(); break;
                    default: json.Skip(); break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return "malformed JSON: " + ex.Message;
        }

        if (string.IsNullOrEmpty(node) || string.IsNullOrEmpty(instance))
        {
            return "no node name or instance";
        }

        if ((offset is null) != (epoch is null) || offset <= 0)
        {
            return "a message with half a history position, or an offset below 1";
        }

        switch (kind)
        {
            case "m" when text is null:
                return "a message without text";
            case "m" when group is not null && !GroupNames.IsValid(group):
                return "a message for an invalid group name";
            case "m":
                parsed = new Parsed(PayloadKind.Message, node, instance,
                    new BusMessage(group is null ? Audience.Everyone : Audience.Group(group), text, node, senderSession, senderUser)
                    {
                        Offset = offset,
                        Epoch = epoch,
                    }, 0);
                return null;
            case "x":
                if ((text is null) == (data is null))
                {
                    return "a message without text or data, or with both";
                }

                if (ReadAudience(audience, to) is not { } address)
                {
                    return $"a message for an unknown audience \"{audience}\"";
                }

                if (address.Problem is { } problem)
                {
                    return "a message for " + problem;
                }

                parsed = new Parsed(PayloadKind.Message, node, instance, new BusMessage(address, text, node, senderSession, senderUser, data, eventName)
                {
                    Offset = offset,
                    Epoch = epoch,
                }, 0);
                return null;
            case "h":
                parsed = new Parsed(PayloadKind.Heartbeat, node, instance, null, Math.Max(0, sessions));
                return null;
            case "q" when string.IsNullOrEmpty(queryId):
                return "a query without an id";
            case "q":
                var kind2 = operation switch
                {
                    "sessions" => ClusterQueryKind.Sessions,
                    "disconnect" => ClusterQueryKind.Disconnect,
                    "activity" => ClusterQueryKind.Activity,
                    _ => (ClusterQueryKind?)null,
                };
                if (kind2 is null)
                {
                    return $"a query of unknown operation \"{operation}\"";
                }

                parsed = new Parsed(PayloadKind.Query, node, instance, null, 0)
                {
                    QueryId = queryId,
                    Query = new ClusterQuery(kind2.Value, user, group, sessionId, closeCode, reason),
                };
                return null;
            case "a" when string.IsNullOrEmpty(queryId):
                return "an answer without a query id";
            case "a":
                parsed = new Parsed(PayloadKind.Answer, node, instance, null, 0)
                {
                    QueryId = queryId,
                    Answer = new NodeAnswer(node, [.. (summaries ?? []).Select(s => s with { Node = node })], disconnected, activity),
                };
                return null;
            case "bye":
                parsed = new Parsed(PayloadKind.Goodbye, node, instance, null, 0);
                return null;
            default:
                return $"unknown kind \"{kind}\"";
        }
    }

    private static string AudienceCode(AudienceKind kind) => kind switch
    {
        AudienceKind.Group => "g",
        AudienceKind.User => "u",
        AudienceKind.Session => "s",
        _ => "*",
    };

    private static Audience? ReadAudience(string? code, string? name) => code switch
    {
        "*" => Audience.Everyone,
        "g" when name is not null => Audience.Group(name),
        "u" when name is not null => Audience.User(name),
        "s" when name is not null => Audience.Session(name),
        _ => null,
    };

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private static List<SessionSummary> ReadSessions(ref Utf8JsonReader json)
    {
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("\"ss\" is not an array");
        }

        var sessions = new List<SessionSummary>();
        while (json.Read() && json.TokenType == JsonTokenType.StartObject)
        {
            string? id = null, user = null, address = null, path = null;
            DateTimeOffset since = default;
            string[] roles = [], groups = [];
            long messagesIn = 0, bytesIn = 0, messagesOut = 0, bytesOut = 0;
            string? running = null;
            DateTimeOffset runningSince = default;
            while (json.Read() && json.TokenType == JsonTokenType.PropertyName)
            {
                var name = json.GetString();
                json.Read();
                switch (name)
                {
                    case "id": id = json.GetString(); break;
                    case "u": user = json.GetString(); break;
                    case "ro": roles = ReadStrings(ref json); break;
                    case "a": address = json.GetString(); break;
                    case "p": path = json.GetString(); break;
                    case "t": since = json.GetDateTimeOffset(); break;
                    case "g": groups = ReadStrings(ref json); break;
                    case "mi": messagesIn = json.GetInt64(); break;
                    case "bi": bytesIn = json.GetInt64(); break;
                    case "mo": messagesOut = json.GetInt64(); break;
                    case "bo": bytesOut = json.GetInt64(); break;
                    case "rc": running = json.GetString(); break;
                    case "rs": runningSince = json.GetDateTimeOffset(); break;
                    default: json.Skip(); break;
                }
            }

            if (id is null || path is null)
            {
                throw new JsonException("a session without an id or a path");
            }

            sessions.Add(new SessionSummary(
                id, user, roles, "", address, path, since, groups, new SessionTraffic(messagesIn, bytesIn, messagesOut, bytesOut),
                running is null ? null : new RunningCommand(running, runningSince)));
        }

        return sessions;
    }

    private static string[] ReadStrings(ref Utf8JsonReader json)
    {
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException("not an array of strings");
        }

        var values = new List<string>();
        while (json.Read() && json.TokenType == JsonTokenType.String)
        {
            values.Add(json.GetString()!);
        }

        return [.. values];
    }

    internal enum PayloadKind
    {
        Message,
        Heartbeat,
        Goodbye,
        Query,
        Answer,
    }

    internal readonly record struct Parsed(PayloadKind Kind, string Node, string Instance, BusMessage? Message, int Sessions)
    {
        /// <summary>For a query or an answer: the query's id.</summary>
        public string? QueryId { get; init; }

        public ClusterQuery? Query { get; init; }

        public NodeAnswer? Answer { get; init; }
    }
}
