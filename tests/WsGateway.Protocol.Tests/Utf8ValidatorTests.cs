using System.Text;
using System.Text.Unicode;

namespace WsGateway.Protocol.Tests;

public sealed class Utf8ValidatorTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    private static bool ValidateInChunks(IEnumerable<byte[]> chunks)
    {
        var validator = new Utf8Validator();
        byte[][] all = chunks.ToArray();
        for (int i = 0; i < all.Length; i++)
        {
            if (!validator.TryValidate(all[i], isFinal: i == all.Length - 1))
            {
                return false;
            }
        }

        return true;
    }

    public static TheoryData<string> ValidTexts() => new()
    {
        "",
        "Hello-µ@ßöäüàá-UTF-8!!",
        "κόσμε",
        "€",
        "𝄞 music",
        "\u007F\u0080\u07FF\u0800\uFFFF",
        "\uD7FF\uE000\uFFFD",
        char.ConvertFromUtf32(0x10000) + char.ConvertFromUtf32(0x10FFFF),
    };

    [Theory]
    [MemberData(nameof(ValidTexts))]
    public void Valid_text_in_one_chunk_is_accepted(string text)
    {
        var validator = new Utf8Validator();

        Assert.True(validator.TryValidate(Encoding.UTF8.GetBytes(text), isFinal: true));
    }

    [Theory]
    [MemberData(nameof(ValidTexts))]
    public void Valid_text_split_at_every_byte_position_is_accepted(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.True(ValidateInChunks([bytes[..at], bytes[at..]]), $"split at {at}");
        }
    }

    [Theory]
    [MemberData(nameof(ValidTexts))]
    public void Valid_text_fed_one_byte_at_a_time_is_accepted(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);

        Assert.True(ValidateInChunks(bytes.Select(b => new[] { b }).Append(Array.Empty<byte>())));
    }

    [Theory]
    [InlineData("F4 90", "above U+10FFFF")]
    [InlineData("ED A0", "UTF-16 surrogate")]
    [InlineData("E0 80", "overlong 3-byte")]
    [InlineData("E0 9F", "overlong 3-byte")]
    [InlineData("F0 80", "overlong 4-byte")]
    [InlineData("F0 8F", "overlong 4-byte")]
    [InlineData("C0", "always-overlong lead")]
    [InlineData("C1", "always-overlong lead")]
    [InlineData("F5", "lead beyond U+10FFFF")]
    [InlineData("F8", "5-byte lead")]
    [InlineData("FF", "never valid")]
    [InlineData("80", "lone continuation")]
    [InlineData("CE BA E1 BD B9 CF 83 CE BC CE B5 F4 90", "valid text then impossible prefix")]
    public void Impossible_prefix_at_the_end_of_a_non_final_chunk_fails_at_once(string hex, string why)
    {
        var validator = new Utf8Validator();

        Assert.False(validator.TryValidate(Hex(hex), isFinal: false), why);
    }

    [Theory]
    [InlineData("F4", "90")]
    [InlineData("ED", "A0")]
    [InlineData("E0", "80")]
    [InlineData("F0 90", "7F")]
    [InlineData("E2 82", "41")]
    public void Impossible_continuation_in_the_next_chunk_fails_at_once(string first, string second)
    {
        var validator = new Utf8Validator();

        Assert.True(validator.TryValidate(Hex(first), isFinal: false));
        Assert.False(validator.TryValidate(Hex(second), isFinal: false));
    }

    [Theory]
    [InlineData("C0 AF")]
    [InlineData("C1 BF")]
    [InlineData("E0 80 AF")]
    [InlineData("E0 9F BF")]
    [InlineData("F0 80 80 AF")]
    [InlineData("F0 8F BF BF")]
    [InlineData("F8 88 80 80 AF")]
    public void Overlong_encodings_are_rejected(string hex)
    {
        Assert.False(new Utf8Validator().TryValidate(Hex(hex), isFinal: true));
    }

    [Theory]
    [InlineData("ED A0 80")]
    [InlineData("ED AD BF")]
    [InlineData("ED BF BF")]
    [InlineData("ED A0 80 ED B0 80")]
    [InlineData("41 ED AF BF ED BF BF 41")]
    public void Utf16_surrogates_are_rejected(string hex)
    {
        Assert.False(new Utf8Validator().TryValidate(Hex(hex), isFinal: true));
    }

    [Theory]
    [InlineData("F4 90 80 80")]
    [InlineData("F5 80 80 80")]
    [InlineData("F7 BF BF BF")]
    public void Code_points_above_U10FFFF_are_rejected(string hex)
    {
        Assert.False(new Utf8Validator().TryValidate(Hex(hex), isFinal: true));
    }

    [Theory]
    [InlineData("CE")]
    [InlineData("E2 82")]
    [InlineData("F0 9D 84")]
    [InlineData("41 42 F0 9D")]
    public void Truncated_code_point_is_accepted_mid_message_but_rejected_at_the_end(string hex)
    {
        Assert.True(new Utf8Validator().TryValidate(Hex(hex), isFinal: false));
        Assert.False(new Utf8Validator().TryValidate(Hex(hex), isFinal: true));
    }

    [Fact]
    public void Pending_code_point_followed_by_an_empty_final_chunk_is_rejected()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.TryValidate(Hex("F0 9D"), isFinal: false));
        Assert.True(validator.TryValidate([], isFinal: false));

        Assert.False(validator.TryValidate([], isFinal: true));
    }

    [Theory]
    [InlineData("80")]
    [InlineData("BF")]
    [InlineData("41 80 42")]
    [InlineData("E2 82 AC 80")]
    [InlineData("80 80 80 80")]
    public void Lone_continuation_bytes_are_rejected(string hex)
    {
        Assert.False(new Utf8Validator().TryValidate(Hex(hex), isFinal: true));
    }

    [Fact]
    public void Autobahn_6_3_invalid_text_fails_in_every_split()
    {
        // Autobahn 6.3.1: "κόσμε" with a surrogate inserted, then "edited".
        byte[] bytes = Hex("CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64");
        for (int at = 0; at <= bytes.Length; at++)
        {
            Assert.False(ValidateInChunks([bytes[..at], bytes[at..]]), $"split at {at}");
        }
    }

    [Fact]
    public void Invalid_text_fails_no_later_than_the_chunk_with_the_offending_byte()
    {
        // The surrogate becomes impossible at its second byte (index 12).
        byte[] bytes = Hex("CE BA E1 BD B9 CF 83 CE BC CE B5 ED A0 80 65 64 69 74 65 64");
        var validator = new Utf8Validator();
        for (int i = 0; i < 12; i++)
        {
            Assert.True(validator.TryValidate(bytes.AsSpan(i, 1), isFinal: false));
        }

        Assert.False(validator.TryValidate(bytes.AsSpan(12, 1), isFinal: false));
    }

    [Fact]
    public void Once_failed_the_validator_stays_failed_until_reset()
    {
        var validator = new Utf8Validator();
        Assert.False(validator.TryValidate(Hex("FF"), isFinal: false));

        Assert.False(validator.TryValidate("ok"u8, isFinal: true));

        validator.Reset();
        Assert.True(validator.TryValidate("ok"u8, isFinal: true));
    }

    [Fact]
    public void Reset_drops_a_pending_code_point()
    {
        var validator = new Utf8Validator();
        Assert.True(validator.TryValidate(Hex("E2 82"), isFinal: false));

        validator.Reset();

        Assert.True(validator.TryValidate("a"u8, isFinal: true));
    }

    private static byte[] RandomText(Random random, int codePoints)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < codePoints; i++)
        {
            int scalar = random.Next(5) switch
            {
                0 => random.Next(0, 0x80),
                1 => random.Next(0x80, 0x800),
                2 => random.Next(0x800, 0xD800),
                3 => random.Next(0xE000, 0x10000),
                _ => random.Next(0x10000, 0x110000),
            };
            builder.Append(char.ConvertFromUtf32(scalar));
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static List<byte[]> RandomSplit(Random random, byte[] bytes)
    {
        var chunks = new List<byte[]>();
        int position = 0;
        while (position < bytes.Length)
        {
            int size = Math.Min(random.Next(0, 12), bytes.Length - position);
            chunks.Add(bytes[position..(position + size)]);
            position += size;
        }

        chunks.Add([]);
        return chunks;
    }

    [Fact]
    public void Random_valid_text_split_randomly_is_accepted()
    {
        var random = new Random(6455);
        for (int round = 0; round < 500; round++)
        {
            byte[] bytes = RandomText(random, random.Next(0, 64));

            Assert.True(ValidateInChunks(RandomSplit(random, bytes)), $"round {round}");
        }
    }

    [Fact]
    public void Random_corrupted_text_split_randomly_agrees_with_Utf8_IsValid()
    {
        var random = new Random(1007);
        int invalidSeen = 0;
        for (int round = 0; round < 2000; round++)
        {
            byte[] bytes = RandomText(random, random.Next(1, 32));
            int corruptions = random.Next(1, 3);
            for (int c = 0; c < corruptions; c++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length + 1)];
            }

            bool expected = Utf8.IsValid(bytes);
            invalidSeen += expected ? 0 : 1;

            Assert.Equal(expected, ValidateInChunks(RandomSplit(random, bytes)));
        }

        Assert.True(invalidSeen > 500, "the corruption should produce plenty of invalid inputs");
    }
}
