using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// One applied book update, seen by each depth tier (1, 5, 10, 20, 50): for a client holding the best N levels
/// per side, the levels it must change to hold the new best N. That is every level that left the window or was
/// removed (sent with size 0), every level that entered it, and every level in it whose size changed, best first.
/// A client that applies these (size 0 removes, otherwise set) and keeps its best N has exactly the server's top N,
/// and <see cref="GetChecksum"/> is the CRC of that top N.
/// Reused: one instance per ingest reader, overwritten by every <see cref="Apply"/>; the spans it hands out are
/// valid only until the next update, i.e. during the <see cref="ITickSink.OnBook"/> call. Not thread-safe.
/// </summary>
public sealed class BookUpdate : IBookDelta
{
    /// <summary>Where each tier's delta starts in the delta arrays: a tier of depth N needs at most 2N entries.</summary>
    private static readonly int[] s_offsets = [0, 2, 12, 32, 72];

    private const int DeltaCapacity = 172; // 2 × (1 + 5 + 10 + 20 + 50)

    private readonly BookLevel[] _oldBids = new BookLevel[OrderBook.MaxLevels];
    private readonly BookLevel[] _oldAsks = new BookLevel[OrderBook.MaxLevels];
    private readonly BookLevel[] _bidDeltas = new BookLevel[DeltaCapacity];
    private readonly BookLevel[] _askDeltas = new BookLevel[DeltaCapacity];
    private readonly int[] _bidDeltaCounts = new int[BookDepth.TierCount];
    private readonly int[] _askDeltaCounts = new int[BookDepth.TierCount];
    private OrderBook? _book;

    /// <summary>The book after the update (its full state, for snapshots sent from the sink callback).</summary>
    public OrderBook Book => _book ?? throw new InvalidOperationException("No book update has been applied yet.");

    /// <summary>How many of the update's level changes altered the book (beyond the 50-level window they do not).</summary>
    public int ChangedLevels { get; private set; }

    /// <summary>Applies <paramref name="changes"/> in order to <paramref name="book"/> and computes every tier's delta.</summary>
    public void Apply(OrderBook book, ReadOnlySpan<BookLevelChange> changes)
    {
        ArgumentNullException.ThrowIfNull(book);
        int oldBidCount = book.Bids.Length;
        int oldAskCount = book.Asks.Length;
        book.Bids.CopyTo(_oldBids);
        book.Asks.CopyTo(_oldAsks);

        int changed = 0;
        foreach (BookLevelChange change in changes)
        {
            if (book.Apply(change.Side, change.Price, change.Size))
            {
                changed++;
            }
        }

        ChangedLevels = changed;
        _book = book;
        ReadOnlySpan<int> tiers = BookDepth.Tiers;
        for (int t = 0; t < tiers.Length; t++)
        {
            int depth = tiers[t];
            Span<BookLevel> bidOut = _bidDeltas.AsSpan(s_offsets[t], 2 * depth);
            Span<BookLevel> askOut = _askDeltas.AsSpan(s_offsets[t], 2 * depth);
            _bidDeltaCounts[t] = changed == 0 ? 0 : Diff(_oldBids.AsSpan(0, Math.Min(depth, oldBidCount)), book.GetBids(depth), bids: true, bidOut);
            _askDeltaCounts[t] = changed == 0 ? 0 : Diff(_oldAsks.AsSpan(0, Math.Min(depth, oldAskCount)), book.GetAsks(depth), bids: false, askOut);
        }
    }

    /// <summary>False when a client of this depth sees no difference (the change was deeper than its window).</summary>
    public bool HasChanges(int depth)
    {
        int t = BookDepth.GetTierIndex(depth);
        return _bidDeltaCounts[t] + _askDeltaCounts[t] > 0;
    }

    /// <summary>The bid levels a client of this depth must apply, best first (size 0: remove).</summary>
    public ReadOnlySpan<BookLevel> GetBids(int depth)
    {
        int t = BookDepth.GetTierIndex(depth);
        return _bidDeltas.AsSpan(s_offsets[t], _bidDeltaCounts[t]);
    }

    /// <summary>The ask levels a client of this depth must apply, best first (size 0: remove).</summary>
    public ReadOnlySpan<BookLevel> GetAsks(int depth)
    {
        int t = BookDepth.GetTierIndex(depth);
        return _askDeltas.AsSpan(s_offsets[t], _askDeltaCounts[t]);
    }

    /// <summary>The checksum a client of this depth must hold after applying the delta.</summary>
    public uint GetChecksum(int depth) => Book.GetChecksum(depth);

    /// <summary>Merges two best-first windows (prices unique per side) into the levels that differ.</summary>
    private static int Diff(ReadOnlySpan<BookLevel> before, ReadOnlySpan<BookLevel> after, bool bids, Span<BookLevel> output)
    {
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < before.Length || j < after.Length)
        {
            if (j == after.Length || (i < before.Length && IsBetter(before[i].Price, after[j].Price, bids)))
            {
                output[n++] = new BookLevel(before[i].Price, 0); // left the window or was removed
                i++;
            }
            else if (i == before.Length || IsBetter(after[j].Price, before[i].Price, bids))
            {
                output[n++] = after[j]; // entered the window
                j++;
            }
            else
            {
                if (before[i].Size != after[j].Size)
                {
                    output[n++] = after[j];
                }

                i++;
                j++;
            }
        }

        return n;
    }

    private static bool IsBetter(long price, long other, bool bids) => bids ? price > other : price < other;
}
