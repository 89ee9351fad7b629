using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using WsGateway.Commands;

namespace WsGateway.IntegrationTests.Hostile;

/// <summary>
/// Generates one fuzz connection from a seeded <see cref="Random"/>: valid frames (whole and fragmented messages, pings,
/// pongs, non-minimal lengths) tracked the way the gateway tracks them, then possibly one violation and more bytes after
/// it. Everything random comes from the one <see cref="Random"/>, so a seed reproduces a run byte for byte.
/// </summary>
internal sealed class FuzzPlanner
{
    private const int Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10;
    private const double ViolationChance = 0.06;
    private const int Minimal = -1;

    private static readonly string[] Alphabet =
    [
        .. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.,:;!?()[]{}<>\"'+*/=#&@\\".Select(c => c.ToString()),
        "é", "ü", "ß", "€", "κ", "ό", "σ", "μ", "ε", "日", "本", "𝄞", "😀",
    ];

    private static readonly int[] ReservedOpcodes = [3, 4, 5, 6, 7, 11, 12, 13, 14, 15];
    private static readonly int[] InvalidCloseCodes = [0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535];

    // Each is impossible at the point it appears, whatever came before: the ASCII byte in front ends any code point a
    // previous fragment left open.
    private static readonly byte[][] InvalidUtf8 =
    [
        [(byte)'x', 0xC0, 0xAF], [(byte)'x', 0xED, 0xA0, 0x80], [(byte)'x', 0xF5], [(byte)'x', 0xFF], [(byte)'x', 0xF4, 0x90],
        [(byte)'x', 0x80], [(byte)'x', 0xE0, 0x80],
    ];

    private readonly Random _random;
    private readonly int _index;
    private readonly string _path;
    private readonly long _maxMessageBytes;
    private readonly MemoryStream _bytes = new();
    private readonly List<FuzzReply> _replies = [];
    private readonly List<byte[]> _pongs = [];
    private readonly List<string> _steps = [];
    private int _frames;

    // A fragmented message in progress, as the gateway sees it.
    private bool _inMessage;
    private int _messageOpcode;
    private long _messageBytesSent;
    private readonly Queue<byte[]> _fragmentsLeft = new();
    private FuzzReply? _replyWhenComplete;

    private FuzzEnding _ending = FuzzEnding.Clean;
    private int? _closeCode;

    public FuzzPlanner(Random random, int index, long maxMessageBytes)
    {
        _random = random;
        _index = index;
        _path = random.Next(2) == 0 ? "/echo" : "/";
        _maxMessageBytes = maxMessageBytes;
    }

    private bool CommandRoute => _path == "/";

    public FuzzPlan Build()
    {
        int budget = _random.Next(10, 31);
        while (_frames < budget)
        {
            if (_ending != FuzzEnding.Clean)
            {
                AddJunk();
            }
            else if (_random.NextDouble() < ViolationChance)
            {
                AddViolation();
            }
            else
            {
                AddValid();
            }
        }

        if (_ending == FuzzEnding.Clean)
        {
            _closeCode = 1000;
            _steps.Add("client waits for its replies and closes with 1000");
        }

        var bytes = _bytes.ToArray();
        return new FuzzPlan(_index, _path, bytes, CutIntoWrites(bytes.Length), _frames, _replies, _pongs, _ending, _closeCode, _steps);
    }

    private void AddValid()
    {
        int roll = _random.Next(100);
        if (_inMessage)
        {
            if (roll < 70)
            {
                AddNextFragment();
            }
            else if (roll < 90)
            {
                AddPing();
            }
            else
            {
                AddPong();
            }
        }
        else if (roll < 45)
        {
            var (opcode, payload, reply) = NewMessage();
            WriteFrame(fin: true, opcode, payload, lengthBytes: RandomLengthForm(payload.Length));
            _replies.Add(reply);
            _steps.Add($"message {reply}");
        }
        else if (roll < 70)
        {
            StartFragmentedMessage();
        }
        else if (roll < 88)
        {
            AddPing();
        }
        else
        {
            AddPong();
        }
    }

    private void StartFragmentedMessage()
    {
        var (opcode, payload, reply) = NewMessage();
        int pieces = _random.Next(2, 6);
        var cuts = Enumerable.Range(0, pieces - 1).Select(_ => _random.Next(payload.Length + 1)).Order().ToList();
        int start = 0;
        foreach (int cut in cuts.Append(payload.Length))
        {
            // Cuts fall anywhere, also inside a UTF-8 code point: that is valid across fragments.
            _fragmentsLeft.Enqueue(payload[start..cut]);
            start = cut;
        }

        var first = _fragmentsLeft.Dequeue();
        WriteFrame(fin: false, opcode, first, lengthBytes: RandomLengthForm(first.Length));
        _inMessage = true;
        _messageOpcode = opcode;
        _messageBytesSent = first.Length;
        _replyWhenComplete = reply;
        _steps.Add($"first of {pieces} fragments of {reply}: {first.Length} bytes");
    }

    private void AddNextFragment()
    {
        var piece = _fragmentsLeft.Dequeue();
        bool fin = _fragmentsLeft.Count == 0;
        WriteFrame(fin, Continuation, piece, lengthBytes: RandomLengthForm(piece.Length));
        _messageBytesSent += piece.Length;
        _steps.Add($"continuation of {piece.Length} bytes{(fin ? ", final" : "")}");
        if (fin)
        {
            _inMessage = false;
            _replies.Add(_replyWhenComplete!);
        }
    }

    private void AddPing()
    {
        var payload = RandomBytes(_random.Next(0, 126));
        WriteFrame(fin: true, Ping, payload);
        _pongs.Add(payload);
        _steps.Add($"ping of {payload.Length} bytes");
    }

    private void AddPong()
    {
        var payload = RandomBytes(_random.Next(0, 126));
        WriteFrame(fin: true, Pong, payload);
        _steps.Add($"unsolicited pong of {payload.Length} bytes");
    }

    /// <summary>A message for this route and the reply it must get.</summary>
    private (int Opcode, byte[] Payload, FuzzReply Reply) NewMessage()
    {
        if (!CommandRoute)
        {
            bool text = _random.Next(2) == 0;
            var payload = text ? Encoding.UTF8.GetBytes(RandomText(RandomMessageSize(), allowEmpty: true)) : RandomBytes(RandomMessageSize());
            return (text ? Text : Binary, payload, new FuzzReply(text ? Text : Binary, payload));
        }

        int roll = _random.Next(100);
        var words = RandomText(Math.Max(1, RandomMessageSize() - 64), allowEmpty: false);
        if (roll < 70)
        {
            return (Text, Encoding.UTF8.GetBytes("say " + words), new FuzzReply(Text, Encoding.UTF8.GetBytes(words)));
        }

        if (roll < 90)
        {
            string id = $"{_index}-{_frames}";
            var envelope = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["id"] = id, ["command"] = "say", ["args"] = words });
            // JSON escapes every non-ASCII character (up to 12 bytes for 4), which can push a long text over the limit.
            if (envelope.Length <= _maxMessageBytes)
            {
                return (Text, envelope, new FuzzReply(Text, Encoding.UTF8.GetBytes(words), id));
            }
        }

        if (roll < 95)
        {
            return (Text, Encoding.UTF8.GetBytes("nosuch " + words),
                new FuzzReply(Text, "error: unknown command \"nosuch\"; send \"help\" to list commands"u8.ToArray()));
        }

        return (Text, Encoding.UTF8.GetBytes("say " + words), new FuzzReply(Text, Encoding.UTF8.GetBytes(words)));
    }

    private void AddViolation()
    {
        var kinds = new List<Action>
        {
            () => Determinate(1002, "reserved opcode", () => WriteFrame(true, Pick(ReservedOpcodes), RandomBytes(_random.Next(0, 20)))),
            () => Determinate(1002, "reserved bits", () => WriteFrame(_random.Next(2) == 0, DataOpcode(), "rsv"u8, rsv: _random.Next(1, 8))),
            () => Determinate(1002, "unmasked frame", () => WriteFrame(true, DataOpcode(), "plain"u8, mask: false)),
            () => Determinate(1002, "control frame over 125 bytes", () => WriteFrame(true, Pick([Ping, Pong, Close]), CloseLikePayload(_random.Next(126, 300)))),
            () => Determinate(1002, "fragmented control frame", () => WriteFrame(false, Pick([Ping, Pong, Close]), RandomBytes(_random.Next(0, 10)))),
            () => Determinate(1002, "64-bit length with the top bit set", () =>
                WriteHeader(true, DataOpcode(), 0, mask: true, lengthBytes: 8, (1UL << 63) | (ulong)_random.NextInt64())),
            () => Determinate(1009, "message over the limit", () =>
            {
                // Claimed in the header; the gateway must answer before any of it arrives.
                long received = _inMessage ? _messageBytesSent : 0;
                ulong claim = _random.Next(2) == 0 ? 1UL << 40 : (ulong)(_maxMessageBytes - received + 1 + _random.Next(0, 10_000));
                WriteHeader(true, DataOpcode(), 0, mask: true, lengthBytes: claim > ushort.MaxValue ? 8 : 2, claim);
            }),
            () => Determinate(1002, "close code not allowed on the wire", () => WriteFrame(true, Close, ClosePayload(Pick(InvalidCloseCodes), "no"u8))),
            () => Determinate(1002, "one-byte close payload", () => WriteFrame(true, Close, [0x03])),
            () => Determinate(1007, "close reason not UTF-8", () => WriteFrame(true, Close, ClosePayload(1000, Pick(InvalidUtf8)))),
            () => Determinate(1000, "early normal close", () => WriteFrame(true, Close, ClosePayload(1000, Encoding.UTF8.GetBytes(RandomText(20, allowEmpty: true))))),
            () => Indeterminate("truncated frame", () =>
            {
                int claim = _random.Next(20, 3000);
                WriteHeader(_random.Next(2) == 0, DataOpcode(), 0, mask: true, lengthBytes: Minimal, (ulong)claim);
                _bytes.Write(RandomBytes(_random.Next(0, claim)));
            }),
            () => Indeterminate("garbage", () => _bytes.Write(RandomBytes(_random.Next(1, 65)))),
            () => Indeterminate("flipped bit", () =>
            {
                long start = _bytes.Length;
                WriteFrame(true, _inMessage ? Continuation : Text, "a frame with one bit flipped"u8);
                var buffer = _bytes.GetBuffer();
                long bit = _random.NextInt64((_bytes.Length - start) * 8);
                buffer[start + bit / 8] ^= (byte)(1 << (int)(bit % 8));
            }),
        };
        if (_inMessage)
        {
            kinds.Add(() => Determinate(1002, "new message inside a fragmented one", () => WriteFrame(true, Pick([Text, Binary]), "again"u8)));
        }
        else
        {
            kinds.Add(() => Determinate(1002, "continuation without a message", () => WriteFrame(_random.Next(2) == 0, Continuation, "cont"u8)));
        }

        if (!_inMessage || _messageOpcode == Text)
        {
            kinds.Add(() => Determinate(1007, "text that is not UTF-8", () =>
                WriteFrame(_random.Next(2) == 0, _inMessage ? Continuation : Text, [.. Pick(InvalidUtf8), .. RandomBytes(_random.Next(0, 50))])));
        }

        if (CommandRoute && !_inMessage)
        {
            kinds.Add(() => Determinate(1003, "binary message on the command route", () => WriteFrame(true, Binary, RandomBytes(_random.Next(1, 100)))));
        }

        kinds[_random.Next(kinds.Count)]();
    }

    private void Determinate(int code, string what, Action write)
    {
        write();
        _ending = FuzzEnding.Determinate;
        _closeCode = code;
        _steps.Add($"VIOLATION {what} (expect {code})");
    }

    private void Indeterminate(string what, Action write)
    {
        write();
        _ending = FuzzEnding.Indeterminate;
        _steps.Add($"VIOLATION {what} (any allowed ending)");
    }

    /// <summary>After the violation a hostile client keeps talking: frames of any kind and garbage.</summary>
    private void AddJunk()
    {
        switch (_random.Next(6))
        {
            case 0:
                WriteFrame(true, Text, Encoding.UTF8.GetBytes(RandomText(_random.Next(0, 200), allowEmpty: true)));
                break;
            case 1:
                WriteFrame(_random.Next(2) == 0, Pick([Continuation, Binary]), RandomBytes(_random.Next(0, 300)));
                break;
            case 2:
                WriteFrame(true, Ping, RandomBytes(_random.Next(0, 126)));
                break;
            case 3:
                // Code 1000 only: a random one would come back echoed, a valid answer outside the codes the test expects.
                WriteFrame(true, Close, ClosePayload(1000, []));
                break;
            default:
                _bytes.Write(RandomBytes(_random.Next(1, 65)));
                _frames++;
                break;
        }

        _steps.Add("junk");
    }

    /// <summary>The opcode a data frame needs to be valid in sequence: a continuation inside a message, else a start.</summary>
    private int DataOpcode() => _inMessage ? Continuation : Pick([Text, Binary]);

    private void WriteFrame(bool fin, int opcode, ReadOnlySpan<byte> payload, int rsv = 0, bool mask = true, int lengthBytes = Minimal)
    {
        var key = WriteHeader(fin, opcode, rsv, mask, lengthBytes, (ulong)payload.Length);
        var body = payload.ToArray();
        for (int i = 0; mask && i < body.Length; i++)
        {
            body[i] ^= key[i & 3];
        }

        _bytes.Write(body);
    }

    /// <returns>The mask key written (zeros when unmasked).</returns>
    private byte[] WriteHeader(bool fin, int opcode, int rsv, bool mask, int lengthBytes, ulong length)
    {
        _frames++;
        _bytes.WriteByte((byte)((fin ? 0x80 : 0) | (rsv << 4) | opcode));
        byte maskBit = mask ? (byte)0x80 : (byte)0;
        if (lengthBytes == Minimal)
        {
            lengthBytes = length <= 125 ? 0 : length <= ushort.MaxValue ? 2 : 8;
        }

        Span<byte> extended = stackalloc byte[8];
        switch (lengthBytes)
        {
            case 0:
                _bytes.WriteByte((byte)(maskBit | (int)length));
                break;
            case 2:
                _bytes.WriteByte((byte)(maskBit | 126));
                BinaryPrimitives.WriteUInt16BigEndian(extended, (ushort)length);
                _bytes.Write(extended[..2]);
                break;
            default:
                _bytes.WriteByte((byte)(maskBit | 127));
                BinaryPrimitives.WriteUInt64BigEndian(extended, length);
                _bytes.Write(extended);
                break;
        }

        var key = new byte[4];
        if (mask)
        {
            _random.NextBytes(key);
            _bytes.Write(key);
        }

        return key;
    }

    /// <summary>Mostly the shortest length form; sometimes a longer one, which RFC 6455 does not forbid for data frames.</summary>
    private int RandomLengthForm(int length) => _random.Next(10) switch
    {
        0 when length <= ushort.MaxValue => 2,
        1 => 8,
        _ => Minimal,
    };

    private int RandomMessageSize() => _random.Next(100) switch
    {
        < 70 => _random.Next(0, 100),
        < 98 => _random.Next(100, 3000),
        _ => _random.Next(65_536, 100_000),
    };

    private string RandomText(int maxBytes, bool allowEmpty)
    {
        var text = new StringBuilder();
        int bytes = 0;
        while (true)
        {
            // Spaces only inside: the command route trims the line, so they could not come back at either end.
            string next = text.Length > 0 && _random.Next(8) == 0 ? " " : Pick(Alphabet);
            int size = Encoding.UTF8.GetByteCount(next);
            if (bytes + size > maxBytes && (allowEmpty || text.Length > 0))
            {
                break;
            }

            text.Append(next);
            bytes += size;
        }

        var result = text.ToString().TrimEnd(' ');
        return result.Length > 0 || allowEmpty ? result : "x";
    }

    private static byte[] ClosePayload(int code, ReadOnlySpan<byte> reason)
    {
        var payload = new byte[2 + reason.Length];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        reason.CopyTo(payload.AsSpan(2));
        return payload;
    }

    /// <summary>A close-shaped payload too long for any control frame.</summary>
    private byte[] CloseLikePayload(int length)
    {
        var payload = RandomBytes(length);
        BinaryPrimitives.WriteUInt16BigEndian(payload, 1000);
        return payload;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];

    private List<int> CutIntoWrites(int total)
    {
        var writes = new List<int>();
        while (total > 0)
        {
            int size = _random.Next(10) switch
            {
                < 2 => _random.Next(1, 17),
                < 7 => _random.Next(17, 1025),
                _ => _random.Next(1025, 65_537),
            };
            size = Math.Min(size, total);
            writes.Add(size);
            total -= size;
        }

        return writes;
    }
}
