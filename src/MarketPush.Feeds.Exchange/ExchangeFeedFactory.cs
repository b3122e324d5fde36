using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Instruments;
using Microsoft.Extensions.Logging;

namespace MarketPush.Feeds.Exchange;

/// <summary>Exchange feeds from configuration: the products listed are the instruments, at their configured price decimals.</summary>
public sealed class ExchangeFeedFactory : IFeedFactory
{
    public FeedKind Kind => FeedKind.Exchange;

    public ValueTask<IReadOnlyList<FeedInstrument>> DescribeAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        IReadOnlyList<FeedInstrument> instruments = [.. settings.Products.Select(static p => new FeedInstrument(p.ProductId, p.Decimals, $"{p.ProductId} (venue)"))];
        return ValueTask.FromResult(instruments);
    }

    public IFeedAdapter Create(FeedSettings settings, InstrumentCatalog catalog, IReadOnlyList<int> instrumentIds, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var options = new ExchangeFeedOptions
        {
            Url = settings.Url ?? throw new ArgumentException("An exchange feed needs a URL.", nameof(settings)),
            Products = [.. settings.Products.Select(static p => p.ProductId)],
            Name = settings.Name,
            SymbolPrefix = settings.Prefix,
            Level2Channel = settings.Level2Channel,
            SizeDecimals = settings.SizeDecimals,
            SilenceTimeout = settings.SilenceTimeout,
            ReconnectInitialDelay = settings.ReconnectInitialDelay,
            ReconnectMaxDelay = settings.ReconnectMaxDelay,
        };

        return new ExchangeFeed(options, catalog, timeProvider, loggerFactory.CreateLogger("MarketPush.Feeds.Exchange"));
    }
}
