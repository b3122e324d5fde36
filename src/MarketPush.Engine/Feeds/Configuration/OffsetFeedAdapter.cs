using System.Threading.Channels;
using MarketPush.Engine.Ingest;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// Runs an adapter that numbers its instruments 0..n-1 (the synthetic generator over its own small catalog) as one
/// feed among several: its ticks get <c>idOffset</c> added to their instrument id on the way to the channel, and the
/// feed gets its configured name. Same thread and allocation profile as the adapter it wraps (a tick is a struct).
/// </summary>
internal sealed class OffsetFeedAdapter(string name, IFeedAdapter inner, int idOffset) : IFeedAdapter
{
    public string Name { get; } = name;

    public IFeedAdapter Inner { get; } = inner;

    public Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken) =>
        Inner.RunAsync(idOffset == 0 ? output : new OffsetWriter(output, idOffset), cancellationToken);

    private sealed class OffsetWriter(ChannelWriter<Tick> output, int offset) : ChannelWriter<Tick>
    {
        public override bool TryWrite(Tick item) => output.TryWrite(Shift(item, offset));

        public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => output.WaitToWriteAsync(cancellationToken);

        public override bool TryComplete(Exception? error = null) => output.TryComplete(error);

        private static Tick Shift(in Tick tick, int offset)
        {
            int id = tick.InstrumentId + offset;
            return tick.Kind switch
            {
                TickKind.Quote => Tick.ForQuote(id, tick.Timestamp, tick.Quote),
                TickKind.Trade => Tick.ForTrade(id, tick.Timestamp, tick.Trade),
                TickKind.BookLevel => Tick.ForBookLevel(id, tick.Timestamp, tick.BookSide, tick.Level.Price, tick.Level.Size, tick.EndsBookUpdate),
                _ => Tick.ForStatus(id, tick.Timestamp, tick.State),
            };
        }
    }
}
