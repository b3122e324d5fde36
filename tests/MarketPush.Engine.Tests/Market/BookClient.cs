using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Market;

/// <summary>
/// A client's copy of one book at one depth, applying book messages exactly as PROTOCOL.md tells a client to:
/// a snapshot replaces the book; in a delta, size 0 removes the level and anything else sets it; then only the
/// best <c>depth</c> levels per side are kept. Written independently of the server's OrderBook (sorted dictionaries).
/// </summary>
internal sealed class BookClient(int depth, int decimals)
{
    private readonly SortedDictionary<long, long> _bids = new(Comparer<long>.Create(static (a, b) => b.CompareTo(a)));
    private readonly SortedDictionary<long, long> _asks = new();

    public int Depth { get; } = depth;

    public long LastSequence { get; set; }

    public BookLevel[] Bids => [.. _bids.Select(static l => new BookLevel(l.Key, l.Value))];

    public BookLevel[] Asks => [.. _asks.Select(static l => new BookLevel(l.Key, l.Value))];

    public uint Checksum => BookChecksum.Compute(Bids, Asks, decimals);

    public void ApplySnapshot(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, long sequence)
    {
        _bids.Clear();
        _asks.Clear();
        ApplyDelta(bids, asks, sequence);
    }

    /// <summary>Applies a delta; returns how many of its levels changed nothing (a minimal delta has none).</summary>
    public int ApplyDelta(ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, long sequence)
    {
        int noOps = Apply(_bids, bids) + Apply(_asks, asks);
        LastSequence = sequence;
        return noOps;
    }

    private int Apply(SortedDictionary<long, long> side, ReadOnlySpan<BookLevel> levels)
    {
        int noOps = 0;
        foreach (BookLevel level in levels)
        {
            if (level.Size == 0)
            {
                noOps += side.Remove(level.Price) ? 0 : 1;
            }
            else
            {
                noOps += side.TryGetValue(level.Price, out long size) && size == level.Size ? 1 : 0;
                side[level.Price] = level.Size;
            }
        }

        while (side.Count > Depth)
        {
            side.Remove(side.Keys.Last());
        }

        return noOps;
    }
}
