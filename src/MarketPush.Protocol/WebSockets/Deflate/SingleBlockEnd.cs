using System.Buffers.Binary;
using System.Runtime.CompilerServices;

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

        // The stream's last (up to) 64 bits, so that bit i of the stream tail is bit i here.
        int tailBytes = Math.Min(block.Length, sizeof(ulong));
        ulong tail = 0;
        for (int i = 0; i < tailBytes; i++)
        {
            tail |= (ulong)block[block.Length - tailBytes + i] << (8 * i);
        }

        int tailBits = tailBytes * 8;
        int streamOffset = (block.Length - tailBytes) * 8;
        int reversedCode = Reverse(code, length); // in the stream the code's MSB comes first, i.e. lowest
        int mask = (1 << length) - 1;
        int last = block[^1];
        bool fits = false;
        bool needsByte = false;
        for (int padding = 0; padding < 8 && (last >> (8 - padding)) == 0; padding++)
        {
            int start = tailBits - padding - length;
            if (start >= 0 && streamOffset + start >= StoredHeaderBits && (int)(tail >> start & (ulong)mask) == reversedCode)
            {
                fits |= padding >= StoredHeaderBits;
                needsByte |= padding < StoredHeaderBits;
            }
        }

        return fits == needsByte ? Fit.Unknown : fits ? Fit.HeaderFitsInPadding : Fit.NeedsExtraByte;
    }

    /// <summary>
    /// Reads a dynamic block's header (RFC 1951 §3.2.7) far enough to know the canonical code of symbol 256 (its bits
    /// most significant first, as §3.2.2 assigns them). Only per-length counts are kept, not the code lengths
    /// themselves: this runs for most compressed messages, and it costs a fraction of libdeflate's own work.
    /// </summary>
    [SkipLocalsInit]
    private static bool TryReadEndOfBlockCode(ReadOnlySpan<byte> block, out int code, out int length)
    {
        code = 0;
        length = 0;
        var reader = new BitReader(block);
        reader.Skip(3); // BFINAL, BTYPE
        int literalCount = reader.Read(5) + 257;
        reader.Skip(5); // HDIST: the distance code lengths that follow are not needed
        int precodeCount = reader.Read(4) + 4;

        Span<byte> precodeLengths = stackalloc byte[PrecodeOrder.Length];
        precodeLengths.Clear();
        for (int i = 0; i < precodeCount; i++)
        {
            precodeLengths[PrecodeOrder[i]] = (byte)reader.Read(3);
        }

        // Decode table indexed by the next 7 stream bits: symbol in the low byte, code length above it.
        Span<ushort> precodeTable = stackalloc ushort[1 << PrecodeBits];
        if (!TryBuildPrecodeTable(precodeLengths, precodeTable))
        {
            return false;
        }

        // Per code length: how many literal/length symbols have it, and how many of those come before symbol 256.
        Span<int> countPerLength = stackalloc int[MaxCodeLength + 1];
        Span<int> countBeforeEndOfBlock = stackalloc int[MaxCodeLength + 1];
        countPerLength.Clear();
        countBeforeEndOfBlock.Clear();
        int filled = 0;
        int previous = -1;
        while (filled < literalCount)
        {
            int entry = precodeTable[reader.Peek(PrecodeBits)];
            reader.Skip(entry >> 8);
            int symbol = entry & 0xFF;
            int value;
            int repeat;
            switch (symbol)
            {
                case < 16:
                    value = symbol;
                    repeat = 1;
                    break;
                case 16:
                    if (previous < 0)
                    {
                        return false;
                    }

                    value = previous;
                    repeat = 3 + reader.Read(2);
                    break;
                case 17:
                    value = 0;
                    repeat = 3 + reader.Read(3);
                    break;
                default:
                    value = 0;
                    repeat = 11 + reader.Read(7);
                    break;
            }

            // A run may continue into the distance code lengths; only the part inside the literal/length alphabet counts.
            int end = Math.Min(filled + repeat, literalCount);
            countPerLength[value] += end - filled;
            if (filled < EndOfBlock)
            {
                countBeforeEndOfBlock[value] += Math.Min(end, EndOfBlock) - filled;
            }

            if (filled <= EndOfBlock && EndOfBlock < end)
            {
                length = value;
            }

            previous = value;
            filled = end;
        }

        if (length == 0 || reader.IsPastEnd)
        {
            return false;
        }

        // RFC 1951 §3.2.2: the first code of each length, then symbols of one length in increasing order.
        int next = 0;
        countPerLength[0] = 0;
        for (int bits = 1; bits <= length; bits++)
        {
            next = (next + countPerLength[bits - 1]) << 1;
        }

        code = next + countBeforeEndOfBlock[length];
        return code < (1 << length);
    }

    /// <summary>Fills <paramref name="table"/> completely, or returns false when the code-length code is not a complete prefix code.</summary>
    private static bool TryBuildPrecodeTable(ReadOnlySpan<byte> lengths, Span<ushort> table)
    {
        Span<int> nextCode = stackalloc int[PrecodeBits + 2];
        nextCode.Clear();
        int kraft = 0;
        foreach (byte length in lengths)
        {
            if (length != 0)
            {
                nextCode[length + 1]++;
                kraft += 1 << (PrecodeBits - length);
            }
        }

        if (kraft != 1 << PrecodeBits)
        {
            return false; // incomplete or over-subscribed: some table entries would be left undefined
        }

        // nextCode[n] = (nextCode[n - 1] + count[n - 1]) << 1, with count[n - 1] parked in nextCode[n] above.
        int code = 0;
        for (int bits = 1; bits <= PrecodeBits; bits++)
        {
            code = (code + nextCode[bits]) << 1;
            nextCode[bits] = code;
        }

        for (int symbol = 0; symbol < lengths.Length; symbol++)
        {
            int length = lengths[symbol];
            if (length == 0)
            {
                continue;
            }

            // The stream carries the code MSB first; the table is indexed by stream bits read LSB first.
            int reversed = Reverse(nextCode[length]++, length);
            for (int index = reversed; index < table.Length; index += 1 << length)
            {
                table[index] = (ushort)((length << 8) | symbol);
            }
        }

        return true;
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

    /// <summary>LSB-first bit reader (RFC 1951 §3.1.1) over a 64-bit buffer; bits past the end read as zero and set <see cref="IsPastEnd"/>.</summary>
    private ref struct BitReader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private ulong _buffer;
        private int _bufferedBits;
        private int _nextByte;
        private int _consumedBits;

        public readonly bool IsPastEnd => _consumedBits > _data.Length * 8;

        /// <summary>The next <paramref name="count"/> (at most 32) bits, first bit lowest.</summary>
        public int Peek(int count)
        {
            if (_bufferedBits < count)
            {
                Refill();
            }

            return (int)(_buffer & ((1UL << count) - 1));
        }

        public void Skip(int count)
        {
            if (_bufferedBits < count)
            {
                Refill();
            }

            _buffer >>= count;
            _bufferedBits -= count;
            _consumedBits += count;
        }

        public int Read(int count)
        {
            int value = Peek(count);
            Skip(count);
            return value;
        }

        private void Refill()
        {
            if (_nextByte + sizeof(ulong) <= _data.Length)
            {
                _buffer |= BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_nextByte)) << _bufferedBits;
                int whole = (63 - _bufferedBits) >> 3;
                _nextByte += whole;
                _bufferedBits += whole * 8;
                return;
            }

            while (_bufferedBits <= 56)
            {
                ulong next = _nextByte < _data.Length ? _data[_nextByte] : 0UL;
                _buffer |= next << _bufferedBits;
                _nextByte++;
                _bufferedBits += 8;
            }
        }
    }
}
