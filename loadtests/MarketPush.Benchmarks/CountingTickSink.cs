using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// Stands in for the router behind <see cref="IngestPipeline"/> in <see cref="IngestBenchmarks"/>: counts what it is
/// handed (so setup can prove every tick came through) and does nothing else, so the benchmark measures ingest alone.
/// </summary>
internal sealed class CountingTickSink : ITickSink
{
    public long Quotes { get; private set; }

    public long Trades { get; private set; }

    public long BookUpdates { get; private set; }

    public long BookLevels { get; private set; }

    public long Statuses { get; private set; }

    public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote) => Quotes++;

    public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade) => Trades++;

    public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
    {
        BookUpdates++;
        BookLevels += ((BookUpdate)update).ChangedLevels; // ingest hands the router its BookUpdate
    }

    public void OnStatus(Instrument instrument, FeedState state, long timestamp) => Statuses++;
}
