using System.Globalization;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;

namespace MarketPush.Server;

/// <summary>
/// Wiring of the market-data half from the command line: the instrument catalog (built-in list or
/// <c>--symbols N</c>), the feed (<c>--feed synthetic|none</c>, <c>--rate</c>, <c>--seed</c>), the
/// <see cref="MarketDataPipeline"/> over the transport's frame builder, and the market commands with their
/// per-session limits attached to the transport's command handler. Called once by <see cref="MarketPushHost"/> at
/// startup, before Kestrel accepts connections. No logic of its own.
/// </summary>
internal static class MarketDataSetup
{
    public static MarketDataPipeline Start(ServerOptions options, StreamServer stream, MarketPushMetrics metrics, ILoggerFactory loggerFactory)
    {
        InstrumentCatalog catalog = options.Symbols > 0 ? InstrumentCatalog.CreateGenerated(options.Symbols) : InstrumentCatalog.CreateDefault();
        IFeedAdapter[] feeds = options.Feed == ServerOptions.FeedNone
            ? []
            : [new SyntheticFeed(catalog, new SyntheticFeedOptions { Seed = options.Seed, QuotesPerSecond = options.Rate })];
        var pipeline = new MarketDataPipeline(catalog, feeds, stream.Frames, metrics, stream.Time, loggerFactory);
        var limits = new SessionLimits
        {
            SlowConsumerMs = options.SlowConsumerMs,
            MaxSubscriptions = options.MaxSubscriptions,
            MaxErrorReplies = options.MaxBadCommands,
            ErrorWindowMs = options.BadCommandWindowMs,
            MaxCommandsPerSecond = options.MaxCommandsPerSecond,
            CommandBurst = Math.Max(options.MaxCommandsPerSecond * 5, 10),
        };
        stream.Commands.UseMarketData(new SubscriptionCommands(pipeline.Router, stream.Frames, pipeline.Scheduler, limits, metrics, pipeline.Totals));
        pipeline.Start();

        ILogger logger = loggerFactory.CreateLogger("MarketPush.Server");
        string instruments = options.Symbols > 0
            ? $"{catalog.Count} generated instruments SYM0000..{catalog[catalog.Count - 1].Symbol}"
            : $"{catalog.Count} instruments from the built-in list";
        if (feeds.Length == 0)
        {
            logger.LogInformation("Market data: {Instruments}; no feed (--feed none)", instruments);
        }
        else
        {
            logger.LogInformation(
                "Market data: feed synthetic live, {Instruments}, {Rate} quotes/s, seed {Seed}",
                instruments,
                options.Rate == 0 ? "unpaced" : options.Rate.ToString(CultureInfo.InvariantCulture),
                options.Seed);
        }

        return pipeline;
    }
}
