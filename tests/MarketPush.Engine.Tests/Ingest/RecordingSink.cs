using MarketPush.Engine.Ingest;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Ingest;

/// <summary>A fake router: records every sequenced update the ingest stage hands over, copying book deltas per tier.</summary>
internal sealed class RecordingSink : ITickSink
{
    public List<Record> Records { get; } = [];

    public void OnQuote(Instrument instrument, long sequence, long timestamp, in Quote quote) =>
        Records.Add(new Record(MarketChannel.Quote, instrument.Symbol, sequence, timestamp, quote, default, null, null));

    public void OnTrade(Instrument instrument, long sequence, long timestamp, in Trade trade) =>
        Records.Add(new Record(MarketChannel.Trade, instrument.Symbol, sequence, timestamp, default, trade, null, null));

    public void OnBook(Instrument instrument, long sequence, long timestamp, IBookDelta update)
    {
        var deltas = new Dictionary<int, (BookLevel[] Bids, BookLevel[] Asks, uint Checksum)>();
        foreach (int depth in BookDepth.Tiers)
        {
            deltas[depth] = (update.GetBids(depth).ToArray(), update.GetAsks(depth).ToArray(), update.GetChecksum(depth));
        }

        Records.Add(new Record(MarketChannel.Book, instrument.Symbol, sequence, timestamp, default, default, deltas, null));
    }

    public void OnStatus(Instrument instrument, FeedState state, long timestamp) =>
        Records.Add(new Record(null, instrument.Symbol, 0, timestamp, default, default, null, state));

    internal sealed record Record(
        MarketChannel? Channel,
        string Symbol,
        long Sequence,
        long Timestamp,
        Quote Quote,
        Trade Trade,
        Dictionary<int, (BookLevel[] Bids, BookLevel[] Asks, uint Checksum)>? Book,
        FeedState? State);
}
