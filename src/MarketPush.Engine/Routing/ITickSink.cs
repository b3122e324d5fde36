using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>
/// Where the ingest stage hands each sequenced update: the router. Defined here, by the receiving stage, so ingest
/// depends on routing and not the other way round. Called on the ingest reader's thread, one call
/// at a time per pipeline, after the last-value cache (<see cref="ILastValues"/>) already holds the update (so a subscriber added
/// concurrently either gets this update live or sees it in its snapshot; skip live updates whose seq is not above
/// the snapshot's). Implementations must not block: the feed's channel backs up behind them.
/// </summary>
public interface ITickSink
{
    void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote);

    void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade);

    /// <summary><paramref name="update"/> is valid only during the call (it is reused for the next book update).</summary>
    void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update);

    void OnStatus(Instrument instrument, FeedState state, long timestamp);
}
