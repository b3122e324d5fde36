using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The newest value of every instrument and channel (last quote, last trade, full book, feed state) with the
/// <c>seq</c> it carried: the source of the snapshots new subscribers get. Written by the ingest reader that owns
/// the instrument, read by any thread (command handlers building snapshots). Each instrument has its own small
/// lock, held only to copy a few fields or apply one book update, never while calling out, so a reader can never
/// see half a book update or a quote that does not match its seq.
/// </summary>
public sealed class LastValueCache : ILastValues
{
    private readonly Entry[] _entries;

    public LastValueCache(InstrumentCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        Catalog = catalog;
        _entries = new Entry[catalog.Count];
        for (int i = 0; i < _entries.Length; i++)
        {
            _entries[i] = new Entry(catalog[i].Decimals);
        }
    }

    public InstrumentCatalog Catalog { get; }

    public void SetQuote(int instrumentId, long sequence, long timestamp, in Quote quote)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            entry.Quote = new SequencedQuote(sequence, timestamp, quote);
            entry.HasQuote = true;
        }
    }

    public void SetTrade(int instrumentId, long sequence, long timestamp, in Trade trade)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            entry.Trade = new SequencedTrade(sequence, timestamp, trade);
            entry.HasTrade = true;
        }
    }

    /// <summary>Applies one book update atomically (readers see all of it or none) and fills <paramref name="update"/> with the per-tier deltas.</summary>
    public void ApplyBook(int instrumentId, long sequence, long timestamp, ReadOnlySpan<BookLevelChange> changes, BookUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            update.Apply(entry.Book, changes);
            entry.BookSequence = sequence;
            entry.BookTimestamp = timestamp;
            entry.HasBook = true;
        }
    }

    public void SetState(int instrumentId, FeedState state, long timestamp)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            entry.State = state;
            entry.StateTimestamp = timestamp;
        }
    }

    /// <summary>
    /// The live book. Only the ingest reader that owns the instrument (and the sink callbacks it runs) may read it
    /// directly; everyone else uses <see cref="TryGetBook"/>.
    /// </summary>
    public OrderBook GetBook(int instrumentId) => _entries[instrumentId].Book;

    public bool TryGetQuote(int instrumentId, out SequencedQuote quote)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            quote = entry.Quote;
            return entry.HasQuote;
        }
    }

    public bool TryGetTrade(int instrumentId, out SequencedTrade trade)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            trade = entry.Trade;
            return entry.HasTrade;
        }
    }

    /// <summary>
    /// Copies the best <paramref name="depth"/> levels per side (spans at least that long) with the book's seq and
    /// ts, and computes their checksum after releasing the lock. False when no book update has arrived yet.
    /// </summary>
    public bool TryGetBook(int instrumentId, int depth, Span<BookLevel> bids, Span<BookLevel> asks, out BookSnapshot snapshot)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        Entry entry = _entries[instrumentId];
        long sequence;
        long timestamp;
        int bidCount;
        int askCount;
        lock (entry.Gate)
        {
            if (!entry.HasBook)
            {
                snapshot = default;
                return false;
            }

            ReadOnlySpan<BookLevel> topBids = entry.Book.GetBids(depth);
            ReadOnlySpan<BookLevel> topAsks = entry.Book.GetAsks(depth);
            topBids.CopyTo(bids);
            topAsks.CopyTo(asks);
            bidCount = topBids.Length;
            askCount = topAsks.Length;
            sequence = entry.BookSequence;
            timestamp = entry.BookTimestamp;
        }

        uint checksum = BookChecksum.Compute(bids.Slice(0, bidCount), asks.Slice(0, askCount), Catalog[instrumentId].Decimals);
        snapshot = new BookSnapshot(sequence, timestamp, bidCount, askCount, checksum);
        return true;
    }

    public FeedState GetState(int instrumentId)
    {
        Entry entry = _entries[instrumentId];
        lock (entry.Gate)
        {
            return entry.State;
        }
    }

    private sealed class Entry(int decimals)
    {
        public readonly Lock Gate = new();
        public readonly OrderBook Book = new(decimals);
        public SequencedQuote Quote;
        public SequencedTrade Trade;
        public long BookSequence;
        public long BookTimestamp;
        public long StateTimestamp;
        public FeedState State;
        public bool HasQuote;
        public bool HasTrade;
        public bool HasBook;
    }
}
