using System.Text.Unicode;

namespace WsGateway.Protocol;

/// <summary>
/// Incremental, fail-fast UTF-8 validation of one text message that arrives in chunks and fragments
/// (RFC 6455 8.1; Autobahn 6.x expects the close as soon as the bytes seen cannot start valid UTF-8).
/// </summary>
/// <remarks>
/// The bulk of every chunk goes through the vectorized <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>; only a code
/// point split across chunks (at most 3 carried bytes) is checked here, byte by byte, against the well-formed byte
/// sequences of Unicode 15 table 3-7, so an impossible prefix fails at once instead of when the next chunk arrives.
/// </remarks>
public struct Utf8Validator
{
    private byte _lead;      // first byte of the incomplete code point carried over; 0 when none
    private byte _seen;      // bytes of it seen so far, lead included
    private byte _expected;  // its total length (2..4)
    private bool _failed;

    /// <summary>
    /// Validates the next chunk of the message.
    /// </summary>
    /// <param name="chunk">The next payload bytes (already unmasked).</param>
    /// <param name="isFinal">The message ends with this chunk, so an incomplete code point is an error.</param>
    /// <returns>False as soon as the bytes so far cannot be a prefix of valid UTF-8; it stays false until <see cref="Reset"/>.</returns>
    public bool TryValidate(ReadOnlySpan<byte> chunk, bool isFinal)
    {
        if (_failed)
        {
            return false;
        }

        if (_seen != 0)
        {
            while (_seen < _expected)
            {
                if (chunk.IsEmpty)
                {
                    return Finish(!isFinal);
                }

                if (!IsValidTrailByte(_lead, _seen, chunk[0]))
                {
                    return Finish(false);
                }

                _seen++;
                chunk = chunk[1..];
            }

            _lead = _seen = _expected = 0;
        }

        // Find a code point that starts within the last 3 bytes but ends beyond the chunk.
        int tailStart = chunk.Length;
        for (int i = chunk.Length - 1; i >= Math.Max(0, chunk.Length - 3); i--)
        {
            byte b = chunk[i];
            if (!IsTrailByte(b))
            {
                int length = SequenceLength(b);
                if (length == 0)
                {
                    return Finish(false);
                }

                if (i + length > chunk.Length)
                {
                    tailStart = i;
                }

                break;
            }
        }

        if (!Utf8.IsValid(chunk[..tailStart]))
        {
            return Finish(false);
        }

        ReadOnlySpan<byte> tail = chunk[tailStart..];
        if (tail.IsEmpty)
        {
            return true;
        }

        for (int i = 1; i < tail.Length; i++)
        {
            if (!IsValidTrailByte(tail[0], i, tail[i]))
            {
                return Finish(false);
            }
        }

        if (isFinal)
        {
            return Finish(false);
        }

        _lead = tail[0];
        _seen = (byte)tail.Length;
        _expected = (byte)SequenceLength(tail[0]);
        return true;
    }

    /// <summary>Clears all state for the next message.</summary>
    public void Reset() => this = default;

    private bool Finish(bool valid)
    {
        _failed = !valid;
        return valid;
    }

    private static bool IsTrailByte(byte b) => (b & 0xC0) == 0x80;

    /// <summary>Length of the sequence a lead byte starts; 0 for bytes that can never start one (trail, C0, C1, F5-FF).</summary>
    private static int SequenceLength(byte lead) => lead switch
    {
        < 0x80 => 1,
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 0,
    };

    /// <summary>
    /// Whether <paramref name="b"/> may be byte <paramref name="position"/> (1..3) after <paramref name="lead"/>.
    /// The second byte's range depends on the lead: it is what rules out overlongs (E0, F0), UTF-16 surrogates (ED)
    /// and code points above U+10FFFF (F4).
    /// </summary>
    private static bool IsValidTrailByte(byte lead, int position, byte b)
    {
        if (position > 1)
        {
            return IsTrailByte(b);
        }

        return lead switch
        {
            0xE0 => b is >= 0xA0 and <= 0xBF,
            0xED => b is >= 0x80 and <= 0x9F,
            0xF0 => b is >= 0x90 and <= 0xBF,
            0xF4 => b is >= 0x80 and <= 0x8F,
            _ => IsTrailByte(b),
        };
    }
}
