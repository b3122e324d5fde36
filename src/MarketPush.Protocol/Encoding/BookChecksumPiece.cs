using System.Buffers.Text;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// One level's share of a book checksum: the raw CRC-32 register value of its text <c>price:size</c> and of
/// <c>|price:size</c>, and the text length. An order book computes it once when a level changes and keeps it next to
/// the level; <see cref="BookChecksum.Combine"/> then joins pieces for any depth in a few table lookups per level
/// instead of formatting and hashing every level's text for every tier of every update. 12 bytes.
/// </summary>
public readonly struct BookChecksumPiece
{
    private const int MaxTextLength = 1 + PriceFormatter.MaxLength + 1 + 20;

    private BookChecksumPiece(uint crc, uint crcWithSeparator, int length)
    {
        Crc = crc;
        CrcWithSeparator = crcWithSeparator;
        Length = length;
    }

    /// <summary>Raw register after <c>price:size</c> from a zero state.</summary>
    internal uint Crc { get; }

    /// <summary>Raw register after <c>|price:size</c> from a zero state.</summary>
    internal uint CrcWithSeparator { get; }

    /// <summary>Length of <c>price:size</c> in bytes.</summary>
    internal int Length { get; }

    public static BookChecksumPiece Create(BookLevel level, int decimals)
    {
        Span<byte> text = stackalloc byte[MaxTextLength];
        text[0] = (byte)'|';
        int length = 1 + PriceFormatter.Format(level.Price, decimals, text.Slice(1));
        text[length++] = (byte)':';
        Utf8Formatter.TryFormat(level.Size, text.Slice(length), out int written);
        length += written;
        return new BookChecksumPiece(Crc32.UpdateRaw(0, text.Slice(1, length - 1)), Crc32.UpdateRaw(0, text.Slice(0, length)), length - 1);
    }
}
