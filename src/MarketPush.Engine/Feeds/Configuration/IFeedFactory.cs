using MarketPush.Engine.Instruments;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// Turns a configured feed of one <see cref="FeedKind"/> into an adapter. Two steps, because the catalog is built
/// from every feed's instruments before any adapter exists: <see cref="DescribeAsync"/> lists what the feed will
/// publish, then <see cref="Create"/> gets the catalog ids those instruments were given. The engine has the
/// synthetic and replay factories; venue adapters live in their own projects (MarketPush.Feeds.Exchange) and the
/// server registers their factories. Called once at startup.
/// </summary>
public interface IFeedFactory
{
    FeedKind Kind { get; }

    /// <summary>The instruments the feed will publish, in its own symbols (no prefix).</summary>
    ValueTask<IReadOnlyList<FeedInstrument>> DescribeAsync(FeedSettings settings, CancellationToken cancellationToken);

    /// <summary>The adapter, named <see cref="FeedSettings.Name"/>; <paramref name="instrumentIds"/>[i] is the catalog id of the i-th described instrument.</summary>
    IFeedAdapter Create(FeedSettings settings, InstrumentCatalog catalog, IReadOnlyList<int> instrumentIds, TimeProvider timeProvider, ILoggerFactory loggerFactory);
}
