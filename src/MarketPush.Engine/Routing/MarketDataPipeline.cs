using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Routing;

/// <summary>
/// The market-data half of the server, composed: feed adapters → one bounded <see cref="TickChannel"/> each →
/// one <see cref="IngestPipeline"/> each (seq, last-value cache) → the shared <see cref="SubscriptionRouter"/>, plus
/// the <see cref="TimerWheel"/> that paces maxRate subscriptions. The host builds one, hands the router to the
/// session layer, <see cref="Start"/>s it, and disposes it on shutdown (after the sessions are closed).
/// </summary>
/// <remarks>
/// Each feed and each ingest loop runs on its own task, so a feed waiting for channel space never holds a thread and
/// one feed's burst cannot delay another's ticks. A feed that ends or fails completes its channel, and its ingest loop
/// finishes what is queued. Owns the tasks, the channels, the cache and the wheel; not the frame builder.
/// </remarks>
public sealed class MarketDataPipeline : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly MarketPushMetrics? _metrics;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _tasks = [];
    private readonly List<IngestPipeline> _ingest = [];
    private int _started;

    public MarketDataPipeline(
        InstrumentCatalog catalog,
        IReadOnlyList<IFeedAdapter> feeds,
        FrameBuilder frames,
        MarketPushMetrics? metrics = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        int channelCapacity = TickChannels.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(frames);
        ILoggerFactory factory = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = factory.CreateLogger("MarketPush.Feeds");
        _metrics = metrics;
        Catalog = catalog;
        Feeds = [.. feeds];
        Cache = new LastValueCache(catalog);
        Sequences = new SequenceAssigner(catalog.Count);
        Channels = new TickChannels(channelCapacity);
        Router = new SubscriptionRouter(Cache, frames, timeProvider: timeProvider, logger: factory.CreateLogger("MarketPush.Routing"));
        Scheduler = new TimerWheel(timeProvider, logger: factory.CreateLogger("MarketPush.RateScheduler"));
        Totals = new DeliveryTotals();
    }

    public InstrumentCatalog Catalog { get; }

    public IReadOnlyList<IFeedAdapter> Feeds { get; }

    public LastValueCache Cache { get; }

    public SequenceAssigner Sequences { get; }

    public TickChannels Channels { get; }

    public SubscriptionRouter Router { get; }

    /// <summary>The shared maxRate scheduler every session's <see cref="ConflationSlots"/> uses.</summary>
    public TimerWheel Scheduler { get; }

    /// <summary>Server-wide conflation, drop and slow-consumer totals, shared by every session.</summary>
    public DeliveryTotals Totals { get; }

    /// <summary>Ticks processed by every ingest loop so far.</summary>
    public long ProcessedTicks
    {
        get
        {
            long total = 0;
            lock (_ingest)
            {
                foreach (IngestPipeline pipeline in _ingest)
                {
                    total += pipeline.ProcessedTicks;
                }
            }

            return total;
        }
    }

    /// <summary>Starts the rate scheduler, then every feed with its ingest loop. Once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The market-data pipeline was already started.");
        }

        Scheduler.Start();
        CancellationToken stop = _stop.Token;
        foreach (IFeedAdapter feed in Feeds)
        {
            TickChannel channel = Channels.Open(feed.Name);
            var ingest = new IngestPipeline(Cache, Sequences, Router);
            lock (_ingest)
            {
                _ingest.Add(ingest);
            }

            _metrics?.Feed(feed.Name).ObserveIngestDepth(() => channel.Count);
            _tasks.Add(Task.Run(() => RunFeedAsync(feed, channel, stop), CancellationToken.None));
            _tasks.Add(Task.Run(() => RunIngestAsync(feed, channel, ingest, stop), CancellationToken.None));
            _logger.LogInformation("Feed {Feed} is live: {Instruments} instruments", feed.Name, Catalog.Count);
        }
    }

    /// <summary>Stops the feeds and ingest loops and the scheduler; waits for them. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_tasks).ConfigureAwait(false);
        await Scheduler.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RunFeedAsync(IFeedAdapter feed, TickChannel channel, CancellationToken stop)
    {
        try
        {
            await feed.RunAsync(channel.Writer, stop).ConfigureAwait(false);
            if (!stop.IsCancellationRequested)
            {
                _logger.LogWarning("Feed {Feed} ended", feed.Name);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Feed {Feed} failed", feed.Name);
        }
        finally
        {
            channel.Writer.TryComplete();
        }
    }

    private async Task RunIngestAsync(IFeedAdapter feed, TickChannel channel, IngestPipeline ingest, CancellationToken stop)
    {
        try
        {
            await ingest.RunAsync(channel.Reader, stop).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Ingest of feed {Feed} failed; its updates no longer reach subscribers", feed.Name);
        }
    }
}
