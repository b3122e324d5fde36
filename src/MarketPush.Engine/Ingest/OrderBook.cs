using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The server's L2 book of one instrument: up to 50 levels per side, best first, in two fixed arrays (a change is
/// one binary search and at most one 800-byte memmove). Owned by the <see cref="LastValueCache"/> entry of the
/// instrument: changed only by the ingest reader of its feed, under the entry's lock, through
/// <see cref="BookUpdate.Apply"/>; read freely by that same thread (the sink callbacks run there), and by other
/// threads only through <see cref="LastValueCache.TryGetBook"/>. Not thread-safe by itself.
/// A level inserted when a side is full pushes the worst level out; one worse than all 50 is ignored (the feed's
/// deeper levels are out of the server's depth).
/// Checksums: next to each level the book keeps its <see cref="BookChecksumPiece"/> (computed once when the level
/// changes), so a tier's checksum is a fold over at most 100 pieces with no text formatting; it is also cached per
/// tier until a change lands inside that tier's window. Measured before this: formatting and hashing the text
/// of all five tiers cost ~9 µs per book update, which at 0.5 book updates per quote dominated ingest.
/// </summary>
public sealed class OrderBook
{
    public const int MaxLevels = BookDepth.Max;

    private readonly BookLevel[] _bids = new BookLevel[MaxLevels];
    private readonly BookLevel[] _asks = new BookLevel[MaxLevels];
    private readonly BookChecksumPiece[] _bidPieces = new BookChecksumPiece[MaxLevels];
    private readonly BookChecksumPiece[] _askPieces = new BookChecksumPiece[MaxLevels];
    private readonly uint[] _checksums = new uint[BookDepth.TierCount];
    private int _bidCount;
    private int _askCount;
    private int _validChecksums; // bit per tier index

    public OrderBook(int decimals)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(decimals);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(decimals, Instrument.MaxDecimals);
        Decimals = decimals;
    }

    /// <summary>The instrument's decimals: how prices are written in the checksum text.</summary>
    public int Decimals { get; }

    /// <summary>All bid levels, best (highest) first.</summary>
    public ReadOnlySpan<BookLevel> Bids => _bids.AsSpan(0, _bidCount);

    /// <summary>All ask levels, best (lowest) first.</summary>
    public ReadOnlySpan<BookLevel> Asks => _asks.AsSpan(0, _askCount);

    public ReadOnlySpan<BookLevel> GetBids(int depth) => _bids.AsSpan(0, Math.Min(depth, _bidCount));

    public ReadOnlySpan<BookLevel> GetAsks(int depth) => _asks.AsSpan(0, Math.Min(depth, _askCount));

    public ReadOnlySpan<BookLevel> GetSide(BookSide side) => side == BookSide.Bid ? Bids : Asks;

    /// <summary>
    /// Sets one level: size 0 removes the price, any other size sets it (inserting the level if new).
    /// Returns true when the book changed.
    /// </summary>
    public bool Apply(BookSide side, long price, long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        bool bids = side == BookSide.Bid;
        BookLevel[] levels = bids ? _bids : _asks;
        BookChecksumPiece[] pieces = bids ? _bidPieces : _askPieces;
        ref int count = ref bids ? ref _bidCount : ref _askCount;
        int index = LowerBound(levels, count, price, bids);
        bool found = index < count && levels[index].Price == price;

        if (size == 0)
        {
            if (!found)
            {
                return false;
            }

            Array.Copy(levels, index + 1, levels, index, count - index - 1);
            Array.Copy(pieces, index + 1, pieces, index, count - index - 1);
            count--;
        }
        else if (found)
        {
            if (levels[index].Size == size)
            {
                return false;
            }

            levels[index] = new BookLevel(price, size);
            pieces[index] = BookChecksumPiece.Create(levels[index], Decimals);
        }
        else
        {
            if (index >= MaxLevels)
            {
                return false; // worse than every level of a full side: outside the depth we keep
            }

            if (count == MaxLevels)
            {
                count--; // the worst level falls out of the window
            }

            Array.Copy(levels, index, levels, index + 1, count - index);
            Array.Copy(pieces, index, pieces, index + 1, count - index);
            levels[index] = new BookLevel(price, size);
            pieces[index] = BookChecksumPiece.Create(levels[index], Decimals);
            count++;
        }

        InvalidateFrom(index);
        return true;
    }

    /// <summary>CRC-32 of the top <paramref name="depth"/> levels per side (PROTOCOL.md `book.checksum`); depth is a tier.</summary>
    public uint GetChecksum(int depth)
    {
        int tier = BookDepth.GetTierIndex(depth);
        int bit = 1 << tier;
        if ((_validChecksums & bit) == 0)
        {
            _checksums[tier] = BookChecksum.Combine(
                _bidPieces.AsSpan(0, Math.Min(depth, _bidCount)),
                _askPieces.AsSpan(0, Math.Min(depth, _askCount)));
            _validChecksums |= bit;
        }

        return _checksums[tier];
    }

    public void Clear()
    {
        _bidCount = 0;
        _askCount = 0;
        _validChecksums = 0;
    }

    /// <summary>First index whose level is not better than <paramref name="price"/> (bids descend, asks ascend).</summary>
    private static int LowerBound(BookLevel[] levels, int count, long price, bool bids)
    {
        int low = 0;
        int high = count;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            long p = levels[mid].Price;
            bool better = bids ? p > price : p < price;
            if (better)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    /// <summary>A change at <paramref name="index"/> alters the window of every tier deeper than the index.</summary>
    private void InvalidateFrom(int index)
    {
        ReadOnlySpan<int> tiers = BookDepth.Tiers;
        for (int t = 0; t < tiers.Length; t++)
        {
            if (index < tiers[t])
            {
                _validChecksums &= ~(1 << t);
            }
        }
    }
}
