using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Feeds.Exchange;

/// <summary>
/// The venue's full-depth L2 book of one product, as the adapter rebuilt it from the snapshot and the updates, and
/// the bridge to the server's book, which keeps only the best <see cref="OrderBook.MaxLevels"/> per side: every
/// change is published as the difference between the best-50 window before and after it (levels that left the
/// window or were removed go out with size 0, first; then every level that entered or changed). So the server's book
/// is always exactly this window, including when a removal at the top lets a deeper level move up.
/// Layout: each side is sorted with its best level last (bids ascending, asks descending), because nearly all venue
/// activity is near the top: inserting or removing there moves few elements.
/// Owned by the adapter's receive loop; not thread-safe. Allocation: none per update once the arrays have grown.
/// </summary>
internal sealed class ExchangeBook
{
    public const int Window = OrderBook.MaxLevels;

    private readonly Side _bids = new(bids: true);
    private readonly Side _asks = new(bids: false);
    private readonly BookLevel[] _beforeBids = new BookLevel[Window];
    private readonly BookLevel[] _beforeAsks = new BookLevel[Window];
    private readonly BookLevel[] _afterBids = new BookLevel[Window];
    private readonly BookLevel[] _afterAsks = new BookLevel[Window];
    private int _beforeBidCount;
    private int _beforeAskCount;

    public int BidCount => _bids.Count;

    public int AskCount => _asks.Count;

    /// <summary>Remembers the window; call before a batch of <see cref="Set"/>/<see cref="Clear"/>, then <see cref="PublishChanges"/>.</summary>
    public void BeginUpdate()
    {
        _beforeBidCount = _bids.CopyBest(_beforeBids);
        _beforeAskCount = _asks.CopyBest(_beforeAsks);
    }

    /// <summary>Sets a level (size 0 removes it).</summary>
    public void Set(BookSide side, long price, long size) => (side == BookSide.Bid ? _bids : _asks).Set(price, size);

    /// <summary>Empties both sides (a snapshot replaces the book).</summary>
    public void Clear()
    {
        _bids.Clear();
        _asks.Clear();
    }

    /// <summary>
    /// Writes the window's changes since <see cref="BeginUpdate"/> into <paramref name="changes"/> (removals first)
    /// and returns their count (at most 4 × <see cref="Window"/>).
    /// </summary>
    public int PublishChanges(Span<BookLevelChange> changes)
    {
        int afterBids = _bids.CopyBest(_afterBids);
        int afterAsks = _asks.CopyBest(_afterAsks);
        int n = 0;
        n += Removed(_beforeBids.AsSpan(0, _beforeBidCount), _afterBids.AsSpan(0, afterBids), BookSide.Bid, changes.Slice(n));
        n += Removed(_beforeAsks.AsSpan(0, _beforeAskCount), _afterAsks.AsSpan(0, afterAsks), BookSide.Ask, changes.Slice(n));
        n += Changed(_beforeBids.AsSpan(0, _beforeBidCount), _afterBids.AsSpan(0, afterBids), BookSide.Bid, changes.Slice(n));
        n += Changed(_beforeAsks.AsSpan(0, _beforeAskCount), _afterAsks.AsSpan(0, afterAsks), BookSide.Ask, changes.Slice(n));
        return n;
    }

    /// <summary>The best levels of a side, best first (tests and diagnostics).</summary>
    public BookLevel[] GetBest(BookSide side, int depth = Window)
    {
        var levels = new BookLevel[Window];
        int count = (side == BookSide.Bid ? _bids : _asks).CopyBest(levels);
        return levels.AsSpan(0, Math.Min(depth, count)).ToArray();
    }

    /// <summary>Levels of <paramref name="before"/> whose price is not in <paramref name="after"/> (both best first, small): size 0.</summary>
    private static int Removed(ReadOnlySpan<BookLevel> before, ReadOnlySpan<BookLevel> after, BookSide side, Span<BookLevelChange> output)
    {
        int n = 0;
        foreach (BookLevel level in before)
        {
            if (IndexOf(after, level.Price) < 0)
            {
                output[n++] = new BookLevelChange(side, level.Price, 0);
            }
        }

        return n;
    }

    /// <summary>Levels of <paramref name="after"/> that are new or whose size changed.</summary>
    private static int Changed(ReadOnlySpan<BookLevel> before, ReadOnlySpan<BookLevel> after, BookSide side, Span<BookLevelChange> output)
    {
        int n = 0;
        foreach (BookLevel level in after)
        {
            int i = IndexOf(before, level.Price);
            if (i < 0 || before[i].Size != level.Size)
            {
                output[n++] = new BookLevelChange(side, level.Price, level.Size);
            }
        }

        return n;
    }

    private static int IndexOf(ReadOnlySpan<BookLevel> levels, long price)
    {
        for (int i = 0; i < levels.Length; i++)
        {
            if (levels[i].Price == price)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>One side, sorted so the best level is last: bids ascending, asks descending.</summary>
    private sealed class Side(bool bids)
    {
        private long[] _prices = new long[256];
        private long[] _sizes = new long[256];

        public int Count { get; private set; }

        public void Clear() => Count = 0;

        public void Set(long price, long size)
        {
            int index = Find(price, out bool found);
            if (size == 0)
            {
                if (found)
                {
                    Array.Copy(_prices, index + 1, _prices, index, Count - index - 1);
                    Array.Copy(_sizes, index + 1, _sizes, index, Count - index - 1);
                    Count--;
                }

                return;
            }

            if (found)
            {
                _sizes[index] = size;
                return;
            }

            if (Count == _prices.Length)
            {
                Array.Resize(ref _prices, Count * 2);
                Array.Resize(ref _sizes, Count * 2);
            }

            Array.Copy(_prices, index, _prices, index + 1, Count - index);
            Array.Copy(_sizes, index, _sizes, index + 1, Count - index);
            _prices[index] = price;
            _sizes[index] = size;
            Count++;
        }

        /// <summary>Copies up to destination.Length best levels, best first.</summary>
        public int CopyBest(Span<BookLevel> destination)
        {
            int n = Math.Min(destination.Length, Count);
            for (int i = 0; i < n; i++)
            {
                int at = Count - 1 - i;
                destination[i] = new BookLevel(_prices[at], _sizes[at]);
            }

            return n;
        }

        /// <summary>Binary search in the side's order (worst first): the index of the price, or where it would go.</summary>
        private int Find(long price, out bool found)
        {
            int low = 0;
            int high = Count;
            while (low < high)
            {
                int mid = (low + high) >>> 1;
                long p = _prices[mid];
                if (p == price)
                {
                    found = true;
                    return mid;
                }

                bool before = bids ? p < price : p > price; // p is worse than price
                if (before)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }

            found = false;
            return low;
        }
    }
}
