using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>
/// The last value of every channel of every instrument, as the router reads it to build snapshots (subscribe, book
/// resync) off the update path. Defined here, by the reader, and implemented by ingest's <c>LastValueCache</c>, which
/// ingest writes before it hands the update to the router. Called from receive loops, send loops and the rate
/// scheduler's thread, concurrently; implementations copy under their own lock.
/// </summary>
public interface ILastValues
{
    /// <summary>The instruments the values are indexed by.</summary>
    InstrumentCatalog Catalog { get; }

    bool TryGetQuote(int instrumentId, out SequencedQuote quote);

    bool TryGetTrade(int instrumentId, out SequencedTrade trade);

    /// <summary>Copies the best <paramref name="depth"/> levels of each side; false when the instrument has no book yet.</summary>
    bool TryGetBook(int instrumentId, int depth, Span<BookLevel> bids, Span<BookLevel> asks, out BookSnapshot snapshot);

    /// <summary>The instrument's feed state (open, stale, halted).</summary>
    FeedState GetState(int instrumentId);
}
