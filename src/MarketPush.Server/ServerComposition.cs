using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Feeds.Configuration;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Feeds.Exchange;

namespace MarketPush.Server;

/// <summary>
/// The composition root: builds the whole data path once, in data-path order and through constructors, from the
/// command line and configuration: feed set → ingest channels → ingest (sequence numbers, last values, book tiers)
/// → router → session factory → transport, with the frame builder (Buffers) and the metrics handed to every stage
/// that uses them. No stage is wired later by a setter or an attach call, and no stage gets an object that hands out
/// others. Called once by <see cref="MarketPushHost"/> at startup, before Kestrel accepts connections; owns every
/// stage it built and stops them in reverse order. No logic of its own beyond that order.
/// </summary>
/// <remarks>
/// A stage that pushes downstream (ingest into the router) needs its receiver first, so the stateful parts of
/// ingest (the cache the router reads snapshots from, the sequence counters) are built before the router and the
/// ingest loops after it. <see cref="Start"/> runs the stages from the bottom up (rate scheduler, ingest loops, then
/// the feeds), so the first tick finds every stage below it running.
/// </remarks>
public sealed class ServerComposition : IAsyncDisposable
{
    private readonly Lock _stopLock = new();
    private Task? _stop;
    private int _started;

    private ServerComposition(
        FeedSet? feeds,
        IngestChannels channels,
        InstrumentCatalog catalog,
        LastValueCache cache,
        SequenceAssigner sequences,
        FrameBuilder frames,
        SubscriptionRouter router,
        IngestLoops ingest,
        TimerWheel scheduler,
        DeliveryTotals totals,
        StreamServer stream)
    {
        Feeds = feeds;
        Channels = channels;
        Catalog = catalog;
        Cache = cache;
        Sequences = sequences;
        Frames = frames;
        Router = router;
        Ingest = ingest;
        Scheduler = scheduler;
        Totals = totals;
        Stream = stream;
    }

    /// <summary>The supervised feeds (null with <c>--feed none</c>): their state, the recorder, <c>/readyz</c>'s answer.</summary>
    public FeedSet? Feeds { get; }

    /// <summary>One ingest channel per feed (none with <c>--feed none</c>).</summary>
    public IngestChannels Channels { get; }

    public InstrumentCatalog Catalog { get; }

    public LastValueCache Cache { get; }

    public SequenceAssigner Sequences { get; }

    public FrameBuilder Frames { get; }

    public SubscriptionRouter Router { get; }

    public IngestLoops Ingest { get; }

    /// <summary>The shared maxRate scheduler every session's conflation slots use.</summary>
    public TimerWheel Scheduler { get; }

    /// <summary>Server-wide conflation, drop and slow-consumer totals, shared by every session.</summary>
    public DeliveryTotals Totals { get; }

    /// <summary>The transport: sessions, endpoint, direct-upgrade middleware, shutdown.</summary>
    public StreamServer Stream { get; }

    /// <summary>Builds every stage (nothing runs yet).</summary>
    /// <exception cref="FeedConfigurationException">A bad feed entry or flag, named.</exception>
    public static async Task<ServerComposition> BuildAsync(
        ServerOptions options,
        IConfiguration configuration,
        MarketPushMetrics metrics,
        ILoggerFactory loggerFactory,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(time);

        // Feeds, each writing into its own ingest channel; the catalog is theirs (or generated for --feed none).
        var channels = new IngestChannels();
        FeedConfiguration? feedConfiguration = FeedSetup.Configure(options, configuration);
        FeedSet? feeds = feedConfiguration is null
            ? null
            : await FeedSet.BuildAsync(feedConfiguration, [.. FeedSet.BuiltInFactories, new ExchangeFeedFactory()], channels, metrics, loggerFactory, time, cancellationToken).ConfigureAwait(false);
        InstrumentCatalog catalog = feeds?.Catalog
            ?? (options.Symbols > 0 ? InstrumentCatalog.CreateGenerated(options.Symbols) : InstrumentCatalog.CreateDefault());

        // Ingest state: sequence numbers and last values (quotes, books and their depth tiers) per instrument.
        var cache = new LastValueCache(catalog);
        var sequences = new SequenceAssigner(catalog.Count);

        // Buffers, below every stage: one frame builder for the router's updates and the transport's control frames.
        var frames = new FrameBuilder(new FramePool(), options.CompressionThresholdBytes, metrics: metrics);

        // Router, then the ingest loops that push into it.
        var router = new SubscriptionRouter(cache, frames, timeProvider: time, logger: loggerFactory.CreateLogger("MarketPush.Routing"));
        var ingest = new IngestLoops(channels, cache, sequences, router, loggerFactory.CreateLogger("MarketPush.Feeds"));

        // Sessions: the market commands with their per-session limits, the command handler, the session factory.
        var limits = new SessionLimits
        {
            SlowConsumerMs = options.SlowConsumerMs,
            MaxSubscriptions = options.MaxSubscriptions,
            MaxErrorReplies = options.MaxBadCommands,
            ErrorWindowMs = options.BadCommandWindowMs,
            MaxCommandsPerSecond = options.MaxCommandsPerSecond,
            CommandBurst = Math.Max(options.MaxCommandsPerSecond * 5, 10),
        };
        var scheduler = new TimerWheel(time, logger: loggerFactory.CreateLogger("MarketPush.RateScheduler"));
        var totals = new DeliveryTotals();
        var subscriptions = new SubscriptionCommands(router, frames, scheduler, limits, metrics, totals);
        var messages = new ServerMessages(frames, options.HeartbeatMs, time);
        var commands = new CommandHandler(messages, subscriptions, timeProvider: time);
        var sessionFactory = new SessionFactory(frames, messages, commands, options.QueueMaxFrames, options.QueueMaxBytes);

        // Transport, last.
        var streamOptions = new StreamOptions
        {
            HeartbeatMs = options.HeartbeatMs,
            CompressionThresholdBytes = options.CompressionThresholdBytes,
            MaxMessageBytes = options.MaxMessageBytes,
            ShutdownTimeoutMs = options.ShutdownTimeoutMs,
            CloseTimeoutMs = Math.Max(1, Math.Min(options.ShutdownTimeoutMs, 5_000)),
            QueueMaxFrames = options.QueueMaxFrames,
            QueueMaxBytes = options.QueueMaxBytes,
            MaxConnections = options.MaxConnections,
            SocketWriteMode = options.SocketWriteMode,
        };
        var stream = new StreamServer(streamOptions, frames, sessionFactory, loggerFactory, time, metrics);

        ILogger logger = loggerFactory.CreateLogger("MarketPush.Server");
        if (feeds is null)
        {
            logger.LogInformation("Market data: {Instruments} instruments; no feed (--feed none)", catalog.Count);
        }
        else
        {
            logger.LogInformation("Market data: {Instruments} instruments from {Feeds}", catalog.Count, string.Join(", ", feeds.Configuration.Feeds));
        }

        return new ServerComposition(feeds, channels, catalog, cache, sequences, frames, router, ingest, scheduler, totals, stream);
    }

    /// <summary>
    /// Starts the stages bottom-up: rate scheduler, ingest loops, then the feeds. Once. (The transport's keepalive
    /// timer starts with the host, through <see cref="StreamServerHostedService"/>.)
    /// </summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The server was already started.");
        }

        Scheduler.Start();
        Ingest.Start();
        Feeds?.Start(CancellationToken.None); // the startup token must not stop them later
    }

    /// <summary>
    /// Stops the data path top-down, after the transport's graceful shutdown (so no session is left to receive
    /// updates): feeds stop (their channels complete), ingest drains what they queued, the scheduler stops. The first
    /// call starts it, every call returns the same task.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopLock)
        {
            return _stop ??= StopCoreAsync();
        }
    }

    /// <summary>Stops (if not yet), then releases the transport and the frame builder. Call once Kestrel is gone.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Stream.DisposeAsync().ConfigureAwait(false);
        Frames.Dispose();
    }

    private async Task StopCoreAsync()
    {
        await Stream.ShutdownAsync().ConfigureAwait(false);
        if (Feeds is not null)
        {
            await Feeds.DisposeAsync().ConfigureAwait(false); // feeds stop, the recording is closed
        }

        await Ingest.DisposeAsync().ConfigureAwait(false);
        await Scheduler.DisposeAsync().ConfigureAwait(false);
    }
}
