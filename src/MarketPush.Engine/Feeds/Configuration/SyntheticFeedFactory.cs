using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>Synthetic feeds: the built-in instrument list, or <c>Symbols</c> generated ones, driven by <see cref="SyntheticFeed"/>.</summary>
public sealed class SyntheticFeedFactory : IFeedFactory
{
    public FeedKind Kind => FeedKind.Synthetic;

    public ValueTask<IReadOnlyList<FeedInstrument>> DescribeAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        InstrumentCatalog own = OwnCatalog(settings);
        var instruments = new FeedInstrument[own.Count];
        for (int i = 0; i < own.Count; i++)
        {
            Instrument instrument = own[i];
            instruments[i] = new FeedInstrument(instrument.Symbol, instrument.Decimals, instrument.Description, own.GetReferencePrice(i), instrument.TickSize);
        }

        return ValueTask.FromResult<IReadOnlyList<FeedInstrument>>(instruments);
    }

    public IFeedAdapter Create(FeedSettings settings, InstrumentCatalog catalog, IReadOnlyList<int> instrumentIds, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(instrumentIds);
        int offset = instrumentIds.Count == 0 ? 0 : instrumentIds[0];
        for (int i = 0; i < instrumentIds.Count; i++)
        {
            if (instrumentIds[i] != offset + i)
            {
                throw new ArgumentException("A synthetic feed's instruments must have consecutive catalog ids.", nameof(instrumentIds));
            }
        }

        // The generator numbers its instruments 0..n-1 in its own catalog; the wrapper moves them to the feed's ids.
        var generator = new SyntheticFeed(OwnCatalog(settings), new SyntheticFeedOptions { Seed = settings.Seed, QuotesPerSecond = settings.Rate }, timeProvider);
        return new OffsetFeedAdapter(settings.Name, generator, offset);
    }

    private static InstrumentCatalog OwnCatalog(FeedSettings settings) =>
        settings.Symbols > 0 ? InstrumentCatalog.CreateGenerated(settings.Symbols) : InstrumentCatalog.CreateDefault();
}
