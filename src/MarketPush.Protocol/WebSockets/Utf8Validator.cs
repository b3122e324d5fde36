using System.Text.Unicode;

namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// Incremental UTF-8 validation for text messages (RFC 6455 §8.1, Unicode §3.9 "well-formed"). One lives inside each
/// <see cref="MessageReader"/> and is fed every unmasked payload chunk of a text message on the receive loop, so a
/// code point split across chunks or fragments is judged once its last byte arrives, and an invalid byte fails the
/// message as soon as it is seen (Autobahn 6.4 "fail fast") instead of after the whole message is buffered.
/// A mutable struct holding 4 bytes of state; owns nothing. Keep it in a field, never copy a live one.
/// </summary>
/// <remarks>
/// Rejects overlong forms (C0, C1, E0 80..9F, F0 80..8F), UTF-16 surrogates (ED A0..BF), code points above U+10FFFF
/// (F4 90.., F5..FF) and stray continuation bytes. The bulk of each chunk goes through the runtime's vectorized
/// <see cref="Utf8.IsValid(ReadOnlySpan{byte})"/>; only a sequence left open at a chunk boundary (at most 3 bytes on
/// each side) walks the small byte-at-a-time state machine below, whose state is "continuation bytes still owed" and
/// "the range the next one must fall in" (the range is what excludes overlongs, surrogates and > U+10FFFF).
/// </remarks>
public struct Utf8Validator
{
    private byte _remaining;
    private byte _lower;
    private byte _upper;
    private bool _failed;

    /// <summary>True when every byte seen so far forms complete, valid code points: the state a message must end in.</summary>
    public readonly bool IsComplete => _remaining == 0 && !_failed;

    /// <summary>True once an invalid sequence was seen; sticky until <see cref="Reset"/>.</summary>
    public readonly bool HasFailed => _failed;

    /// <summary>Validates one-shot input that must be a whole, valid text (a close reason, an inflated message).</summary>
    public static bool IsValid(ReadOnlySpan<byte> text) => Utf8.IsValid(text);

    public void Reset() => this = default;

    /// <summary>
    /// Feeds the next chunk of the message. Returns false as soon as the bytes so far cannot be the start of valid
    /// UTF-8; an incomplete sequence at the end of the chunk is fine and is carried into the next call. At the end of
    /// the message, check <see cref="IsComplete"/>: a sequence still open there makes the message invalid.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<byte> chunk)
    {
        if (_failed)
        {
            return false;
        }

        // Finish a code point left open by the previous chunk.
        int index = 0;
        while (_remaining != 0 && index < chunk.Length)
        {
            if (!Step(chunk[index++]))
            {
                return false;
            }
        }

        ReadOnlySpan<byte> rest = chunk.Slice(index);
        if (rest.IsEmpty)
        {
            return true;
        }

        // Find where the last sequence starts: at most 3 continuation bytes can follow a lead byte.
        int lead = rest.Length - 1;
        int stop = Math.Max(0, rest.Length - 4);
        while (lead > stop && IsContinuation(rest[lead]))
        {
            lead--;
        }

        if (lead + SequenceLength(rest[lead]) <= rest.Length)
        {
            // The chunk ends on a code point boundary (or is invalid, which IsValid reports).
            return Fail(Utf8.IsValid(rest));
        }

        // The chunk ends inside a code point: validate what precedes it in bulk, then walk its first bytes so an
        // invalid prefix (E0 80, F4 90, ED A0) fails now rather than when the next chunk arrives.
        if (!Fail(Utf8.IsValid(rest.Slice(0, lead))))
        {
            return false;
        }

        foreach (byte b in rest.Slice(lead))
        {
            if (!Step(b))
            {
                return false;
            }
        }

        return true;
    }

    private bool Fail(bool valid)
    {
        _failed |= !valid;
        return valid;
    }

    private static bool IsContinuation(byte b) => (b & 0xC0) == 0x80;

    /// <summary>Sequence length announced by a lead byte; 1 for bytes that cannot lead (IsValid then rejects them).</summary>
    private static int SequenceLength(byte lead) => lead switch
    {
        >= 0xC2 and <= 0xDF => 2,
        >= 0xE0 and <= 0xEF => 3,
        >= 0xF0 and <= 0xF4 => 4,
        _ => 1,
    };

    private bool Step(byte b)
    {
        if (_remaining != 0)
        {
            if (b < _lower || b > _upper)
            {
                _failed = true;
                return false;
            }

            _remaining--;
            _lower = 0x80;
            _upper = 0xBF;
            return true;
        }

        (byte remaining, byte lower, byte upper) = b switch
        {
            < 0x80 => ((byte)0, (byte)0, (byte)0),
            >= 0xC2 and <= 0xDF => ((byte)1, (byte)0x80, (byte)0xBF),
            0xE0 => ((byte)2, (byte)0xA0, (byte)0xBF),      // below A0 would be an overlong 2-byte form
            0xED => ((byte)2, (byte)0x80, (byte)0x9F),      // A0..BF would encode a UTF-16 surrogate
            >= 0xE1 and <= 0xEF => ((byte)2, (byte)0x80, (byte)0xBF),
            0xF0 => ((byte)3, (byte)0x90, (byte)0xBF),      // below 90 would be an overlong 3-byte form
            >= 0xF1 and <= 0xF3 => ((byte)3, (byte)0x80, (byte)0xBF),
            0xF4 => ((byte)3, (byte)0x80, (byte)0x8F),      // 90 and up would exceed U+10FFFF
            _ => ((byte)0xFF, (byte)0, (byte)0),            // C0, C1, F5..FF, or a stray continuation byte
        };

        if (remaining == 0xFF)
        {
            _failed = true;
            return false;
        }

        _remaining = remaining;
        _lower = lower;
        _upper = upper;
        return true;
    }
}
