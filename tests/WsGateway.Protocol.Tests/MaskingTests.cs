namespace WsGateway.Protocol.Tests;

public sealed class MaskingTests
{
    private const uint Key = 0xDEADBEEF;

    /// <summary>RFC 6455 5.3 spelled out: octet i is XORed with mask octet (i + offset) mod 4.</summary>
    private static byte[] NaiveMask(byte[] data, uint maskKey, int maskOffset)
    {
        byte[] maskBytes = BitConverter.GetBytes(maskKey);
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(maskBytes);
        }

        var result = new byte[data.Length];
        for (int i = 0; i < data.Length; i++)
        {
            result[i] = (byte)(data[i] ^ maskBytes[(i + maskOffset) % 4]);
        }

        return result;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static TheoryData<int> Lengths()
    {
        var data = new TheoryData<int>();
        for (int length = 0; length <= 300; length++)
        {
            data.Add(length);
        }

        data.Add(1023);
        data.Add(4096);
        data.Add(65537);
        data.Add(1_000_003);
        return data;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Vectorized_masking_equals_a_naive_byte_loop_for_every_offset(int length)
    {
        byte[] original = RandomBytes(length, seed: length);
        for (int offset = 0; offset < 4; offset++)
        {
            byte[] data = (byte[])original.Clone();

            int next = Masking.Apply(data, Key, offset);

            Assert.Equal(NaiveMask(original, Key, offset), data);
            Assert.Equal((offset + length) & 3, next);
        }
    }

    [Fact]
    public void Masking_a_slice_at_an_odd_address_only_touches_the_slice()
    {
        byte[] original = RandomBytes(200, seed: 7);
        byte[] data = (byte[])original.Clone();

        Masking.Apply(data.AsSpan(3, 150), Key, 0);

        Assert.Equal(original[..3], data[..3]);
        Assert.Equal(NaiveMask(original[3..153], Key, 0), data[3..153]);
        Assert.Equal(original[153..], data[153..]);
    }

    [Fact]
    public void Masking_twice_restores_the_data()
    {
        byte[] original = RandomBytes(777, seed: 1);
        byte[] data = (byte[])original.Clone();

        Masking.Apply(data, Key, 2);
        Masking.Apply(data, Key, 2);

        Assert.Equal(original, data);
    }

    [Fact]
    public void Chunked_application_equals_one_shot()
    {
        var random = new Random(42);
        for (int round = 0; round < 200; round++)
        {
            byte[] original = RandomBytes(random.Next(0, 2000), seed: round);
            uint key = (uint)random.NextInt64(0, uint.MaxValue + 1L);
            byte[] oneShot = (byte[])original.Clone();
            Masking.Apply(oneShot, key, 0);

            byte[] chunked = (byte[])original.Clone();
            int position = 0;
            int offset = 0;
            while (position < chunked.Length)
            {
                int size = Math.Min(random.Next(0, 80), chunked.Length - position);
                offset = Masking.Apply(chunked.AsSpan(position, size), key, offset);
                position += size;
            }

            Assert.Equal(oneShot, chunked);
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    public void Mask_offset_outside_0_to_3_is_rejected(int offset)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Masking.Apply(new byte[4], Key, offset));
    }
}
