using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Feeds.Exchange;

namespace MarketPush.Server;

/// <summary>
/// Wiring of the market-data half from the command line and configuration: the feeds (<see cref="FeedSetup"/>: one or
/// more of synthetic, replay, exchange, each under its own symbol namespace, or none) composed into a
/// <see cref="FeedSet"/> whose catalog is the server's, the <see cref="MarketDataPipeline"/> over the transport's frame
/// builder (the feed set, not the pipeline, runs the feeds: supervised, each with its own channel and ingest loop into
/// the pipeline's cache and router), and the market commands with their per-session limits attached to the
/// transport's command handler. Called once by <see cref="MarketPushHost"/> at startup, before Kestrel accepts
/// connections. No logic of its own.
/// </summary>
internal static class MarketDataSetup
{
    /// <summary>Builds and starts the market-data half; the feed set is null for <c>--feed none</c>.</summary>
    /// <exception cref="FeedConfigurationException">A bad feed entry or flag, named.</exception>
    public static async Task<(MarketDataPipeline Market, FeedSet? Feeds)> StartAsync(
        ServerOptions options, IConfiguration configuration, StreamServer stream, MarketPushMetrics metrics, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        FeedConfiguration? feedConfiguration = FeedSetup.Configure(options, configuration);
        FeedSet? feeds = feedConfiguration is null
            ? null
            : await FeedSet.BuildAsync(feedConfiguration, [.. FeedSet.BuiltInFactories, new ExchangeFeedFactory()], metrics, loggerFactory, stream.Time, cancellationToken).ConfigureAwait(false);
        InstrumentCatalog catalog = feeds?.Catalog
            ?? (options.Symbols > 0 ? InstrumentCatalog.CreateGenerated(options.Symbols) : InstrumentCatalog.CreateDefault());
        stream.Frames.Metrics = metrics;
        var pipeline = new MarketDataPipeline(catalog, [], stream.Frames, metrics, stream.Time, loggerFactory);
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
        feeds?.Start(pipeline.Cache, pipeline.Sequences, pipeline.Router, CancellationToken.None); // the startup token must not stop them later

        ILogger logger = loggerFactory.CreateLogger("MarketPush.Server");
        if (feeds is null)
        {
            logger.LogInformation("Market data: {Instruments} instruments; no feed (--feed none)", catalog.Count);
        }
        else
        {
            logger.LogInformation("Market data: {Instruments} instruments from {Feeds}", catalog.Count, string.Join(", ", feeds.Configuration.Feeds));
        }

        return (pipeline, feeds);
    }
}
