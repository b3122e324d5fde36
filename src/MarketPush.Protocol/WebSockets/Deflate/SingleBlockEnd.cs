using System.Buffers.Binary;

namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// Works out, from the bytes alone, where the end-of-block code of a one-block DEFLATE stream stops in its last byte,
/// which <see cref="MessageDeflater"/> needs to append the empty stored block of a sync flush (RFC 7692 §7.2.1) after
/// libdeflate's output. Pure; called on the compressing thread for every message libdeflate writes as one block.
/// <para>
/// libdeflate pads the last byte with zero bits, so the code ends k bits before the end for some k in 0..7 whose top k
/// bits are zero. For a dynamic-Huffman block the end-of-block code (symbol 256) is read from the block header, and each
/// such k is tried: the true k is always among those where the code matches. When every match says "at least three
/// padding bits" (room for the stored block's header) or every match says "fewer", that is the answer; when they
/// disagree, or for a fixed-Huffman block (whose end-of-block code is seven zero bits, indistinguishable from padding),
/// the answer is <see cref="Fit.Unknown"/> and the caller falls back to a check decode.
/// </para>
/// </summary>
internal static class SingleBlockEnd
{
    internal enum Fit
    {
        /// <summary>The bytes do not settle it.</summary>
        Unknown,

        /// <summary>At least three zero padding bits follow the end-of-block code: an empty stored block header fits.</summary>
        HeaderFitsInPadding,

        /// <summary>Fewer than three padding bits (or none, for a stored block): the header needs one more byte.</summary>
        NeedsExtraByte,
    }

    private const int StoredHeaderBits = 3;
    private const int MaxCodeLength = 15;
    private const int PrecodeBits = 7;
    private const int EndOfBlock = 256;

    /// <summary>RFC 1951 §3.2.7: the order the code-length code lengths are stored in.</summary>
    private static ReadOnlySpan<byte> PrecodeOrder => [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

    /// <summary>Classifies the end of <paramref name="block"/>, a DEFLATE stream holding exactly one block (its BFINAL bit is ignored).</summary>
    internal static Fit Classify(ReadOnlySpan<byte> block)
    {
        if (block.Length < 2)
        {
            return Fit.Unknown;
        }

        switch ((block[0] >> 1) & 3)
        {
            case 0:
                return Fit.NeedsExtraByte; // a stored block ends on a byte boundary
            case 2:
                break;
            default:
                return Fit.Unknown;
        }

        if (!TryReadEndOfBlockCode(block, out int code, out int length))
        {
            return Fit.Unknown;
        }

        bool fits = false;
        bool needsByte = false;
        int last = block[^1];
        int totalBits = block.Length * 8;
        for (int padding = 0; padding < 8 && (last >> (8 - padding)) == 0; padding++)
        {
            int start = totalBits - padding - length;
            if (start >= StoredHeaderBits && CodeAt(block, start, length) == code)
            {
                fits |= padding >= StoredHeaderBits;
                needsByte |= padding < StoredHeaderBits;
            }
        }

        return fits == needsByte ? Fit.Unknown : fits ? Fit.HeaderFitsInPadding : Fit.NeedsExtraByte;
    }

    /// <summary>
    /// Reads a dynamic block's header (RFC 1951 §3.2.7) far enough to know the canonical code of symbol 256:
    /// its bits in stream order, most significant first (§3.1.1: Huffman codes are packed starting with their MSB).
    /// </summary>
    private static bool TryReadEndOfBlockCode(ReadOnlySpan<byte> block, out int code, out int length)
    {
        code = 0;
        length = 0;
        var reader = new BitReader(block, position: 3);
        int literalCount = reader.Read(5) + 257;
        int distanceCount = reader.Read(5) + 1;
        int precodeCount = reader.Read(4) + 4;

        Span<byte> precodeLengths = stackalloc byte[19];
        precodeLengths.Clear();
        for (int i = 0; i < precodeCount; i++)
        {
            precodeLengths[PrecodeOrder[i]] = (byte)reader.Read(3);
        }

        // Decode table indexed by the next 7 stream bits: symbol in the low byte, code length above it; 0 = no code.
        Span<ushort> precodeTable = stackalloc ushort[1 << PrecodeBits];
        precodeTable.Clear();
        if (!TryBuildPrecodeTable(precodeLengths, precodeTable))
        {
            return false;
        }

        Span<byte> lengths = stackalloc byte[literalCount + distanceCount];
        int filled = 0;
        while (filled < lengths.Length)
        {
            if (reader.IsPastEnd)
            {
                return false;
            }

            int entry = precodeTable[reader.Peek(PrecodeBits)];
            if (entry == 0)
            {
                return false;
            }

            reader.Skip(entry >> 8);
            int symbol = entry & 0xFF;
            int repeat;
            byte value = 0;
            switch (symbol)
            {
                case < 16:
                    lengths[filled++] = (byte)symbol;
                    continue;
                case 16:
                    if (filled == 0)
                    {
                        return false;
                    }

                    value = lengths[filled - 1];
                    repeat = 3 + reader.Read(2);
                    break;
                case 17:
                    repeat = 3 + reader.Read(3);
                    break;
                default:
                    repeat = 11 + reader.Read(7);
                    break;
            }

            if (filled + repeat > lengths.Length)
            {
                return false;
            }

            lengths.Slice(filled, repeat).Fill(value);
            filled += repeat;
        }

        length = lengths[EndOfBlock];
        if (length == 0 || reader.IsPastEnd)
        {
            return false;
        }

        // RFC 1951 §3.2.2: canonical codes from the literal/length code lengths.
        Span<int> countPerLength = stackalloc int[MaxCodeLength + 1];
        countPerLength.Clear();
        int sameLengthBefore = 0;
        for (int symbol = 0; symbol < literalCount; symbol++)
        {
            countPerLength[lengths[symbol]]++;
            if (symbol < EndOfBlock && lengths[symbol] == length)
            {
                sameLengthBefore++;
            }
        }

        countPerLength[0] = 0;
        int next = 0;
        for (int bits = 1; bits <= length; bits++)
        {
            next = (next + countPerLength[bits - 1]) << 1;
        }

        code = next + sameLengthBefore;
        return code < (1 << length);
    }

    private static bool TryBuildPrecodeTable(ReadOnlySpan<byte> lengths, Span<ushort> table)
    {
        Span<int> countPerLength = stackalloc int[PrecodeBits + 1];
        countPerLength.Clear();
        foreach (byte length in lengths)
        {
            countPerLength[length]++;
        }

        countPerLength[0] = 0;
        Span<int> nextCode = stackalloc int[PrecodeBits + 1];
        int code = 0;
        for (int bits = 1; bits <= PrecodeBits; bits++)
        {
            code = (code + countPerLength[bits - 1]) << 1;
            nextCode[bits] = code;
        }

        for (int symbol = 0; symbol < lengths.Length; symbol++)
        {
            int length = lengths[symbol];
            if (length == 0)
            {
                continue;
            }

            int assigned = nextCode[length]++;
            if (assigned >= 1 << length)
            {
                return false; // over-subscribed
            }

            // The stream carries the code MSB first; the table is indexed by stream bits read LSB first.
            int reversed = Reverse(assigned, length);
            for (int index = reversed; index < table.Length; index += 1 << length)
            {
                table[index] = (ushort)((length << 8) | symbol);
            }
        }

        return true;
    }

    /// <summary>The <paramref name="length"/> stream bits from <paramref name="start"/>, first bit as the most significant.</summary>
    private static int CodeAt(ReadOnlySpan<byte> data, int start, int length)
    {
        int value = 0;
        for (int i = start; i < start + length; i++)
        {
            value = (value << 1) | ((data[i >> 3] >> (i & 7)) & 1);
        }

        return value;
    }

    private static int Reverse(int value, int length)
    {
        int result = 0;
        for (int i = 0; i < length; i++)
        {
            result = (result << 1) | ((value >> i) & 1);
        }

        return result;
    }

    /// <summary>LSB-first bit reader (RFC 1951 §3.1.1); reads past the end return zero bits and set <see cref="IsPastEnd"/>.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data, int position)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position = position;

        public readonly bool IsPastEnd => _position > _data.Length * 8;

        /// <summary>The next <paramref name="count"/> (at most 25) bits, first bit lowest.</summary>
        public readonly int Peek(int count)
        {
            int byteIndex = _position >> 3;
            ulong window = 0;
            if (byteIndex + sizeof(ulong) <= _data.Length)
            {
                window = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(byteIndex));
            }
            else
            {
                for (int i = 0; byteIndex + i < _data.Length; i++)
                {
                    window |= (ulong)_data[byteIndex + i] << (8 * i);
                }
            }

            return (int)(window >> (_position & 7)) & ((1 << count) - 1);
        }

        public void Skip(int count) => _position += count;

        public int Read(int count)
        {
            int value = Peek(count);
            _position += count;
            return value;
        }
    }
}
