using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Feeds.Replay;
using MarketPush.Engine.Instruments;
using Microsoft.Extensions.Logging;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>Replay feeds: the instruments are the capture's symbols (its header declarations, or a scan of the file).</summary>
public sealed class ReplayFeedFactory : IFeedFactory
{
    public FeedKind Kind => FeedKind.Replay;

    public async ValueTask<IReadOnlyList<FeedInstrument>> DescribeAsync(FeedSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        IReadOnlyList<CaptureSymbol> symbols;
        try
        {
            symbols = await ReplayFeed.ReadSymbolsAsync(settings.Path!, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new FeedConfigurationException(settings.Key.StartsWith("--", StringComparison.Ordinal) ? settings.Key : settings.Key + ":Path", ex.Message);
        }

        return [.. symbols.Select(static s => new FeedInstrument(s.Symbol, Math.Max(0, s.Decimals), s.Description))];
    }

    public IFeedAdapter Create(FeedSettings settings, InstrumentCatalog catalog, IReadOnlyList<int> instrumentIds, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new ReplayFeed(
            new ReplayFeedOptions { Path = settings.Path!, Name = settings.Name, Speed = settings.Speed, Loop = settings.Loop, StartDelay = settings.StartDelay, SymbolPrefix = settings.Prefix },
            catalog,
            timeProvider);
    }
}
