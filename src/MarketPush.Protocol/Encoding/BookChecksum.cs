using System.Buffers.Text;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// The <c>checksum</c> of a <c>book</c> message (PROTOCOL.md): CRC-32 of the UTF-8 text
/// <c>price:size|price:size|…</c> over the best <c>depth</c> bids (best first) followed by the best <c>depth</c>
/// asks (best first), all joined by <c>|</c>; numbers exactly as the JSON writer prints them
/// (<see cref="PriceFormatter"/>, plain integer sizes). A side with fewer levels contributes what it has; an empty
/// book is the empty string, CRC 0. The caller passes the levels already cut to the depth.
/// Pure and thread-safe; the text is streamed through a stack buffer, nothing is allocated.
/// </summary>
public static class BookChecksum
{
    /// <summary>Longest text of one level: price, ':', a long size, '|'.</summary>
    private const int MaxLevelLength = PriceFormatter.MaxLength + 1 + 20 + 1;

    private const int BufferLength = 2048;

    public static uint Compute(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, int decimals)
    {
        Span<byte> buffer = stackalloc byte[BufferLength];
        int length = 0;
        uint crc = 0;
        bool first = true;
        crc = AppendSide(crc, bids, decimals, buffer, ref length, ref first);
        crc = AppendSide(crc, asks, decimals, buffer, ref length, ref first);
        return Crc32.Append(crc, buffer.Slice(0, length));
    }

    /// <summary>
    /// The same checksum from pieces kept per level (<see cref="BookChecksumPiece"/>): the CRC register is linear, so
    /// each piece is folded in as <c>state = shift(state, piece length) ^ piece CRC</c>, with no text in sight.
    /// </summary>
    public static uint Combine(ReadOnlySpan<BookChecksumPiece> bids, ReadOnlySpan<BookChecksumPiece> asks)
    {
        uint state = 0xFFFFFFFFu;
        bool first = true;
        state = CombineSide(state, bids, ref first);
        state = CombineSide(state, asks, ref first);
        return ~state;
    }

    /// <summary>The text the checksum covers (cold path, for tests and diagnostics).</summary>
    public static string GetText(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, int decimals)
    {
        var text = new System.Text.StringBuilder();
        foreach (BookLevel level in bids)
        {
            AppendText(text, level, decimals);
        }

        foreach (BookLevel level in asks)
        {
            AppendText(text, level, decimals);
        }

        return text.ToString();
    }

    private static void AppendText(System.Text.StringBuilder text, BookLevel level, int decimals)
    {
        if (text.Length > 0)
        {
            text.Append('|');
        }

        text.Append(PriceFormatter.ToString(level.Price, decimals)).Append(':').Append(level.Size);
    }

    private static uint CombineSide(uint state, ReadOnlySpan<BookChecksumPiece> pieces, ref bool first)
    {
        foreach (BookChecksumPiece piece in pieces)
        {
            state = first
                ? Crc32.ShiftZeros(state, piece.Length) ^ piece.Crc
                : Crc32.ShiftZeros(state, piece.Length + 1) ^ piece.CrcWithSeparator;
            first = false;
        }

        return state;
    }

    private static uint AppendSide(uint crc, ReadOnlySpan<BookLevel> levels, int decimals, Span<byte> buffer, ref int length, ref bool first)
    {
        foreach (BookLevel level in levels)
        {
            if (buffer.Length - length < MaxLevelLength)
            {
                crc = Crc32.Append(crc, buffer.Slice(0, length));
                length = 0;
            }

            if (!first)
            {
                buffer[length++] = (byte)'|';
            }

            first = false;
            length += PriceFormatter.Format(level.Price, decimals, buffer.Slice(length));
            buffer[length++] = (byte)':';
            Utf8Formatter.TryFormat(level.Size, buffer.Slice(length), out int written);
            length += written;
        }

        return crc;
    }
}
