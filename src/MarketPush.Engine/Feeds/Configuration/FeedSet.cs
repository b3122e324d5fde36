using System.Text.Json;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>
/// The feed side of the server, composed from a <see cref="FeedConfiguration"/>: the instrument catalog (every
/// feed's instruments under its prefix, ids consecutive per feed in configuration order; a symbol two feeds would
/// publish is a configuration error), the adapters (through the factories), the <see cref="FeedSupervisor"/> that
/// runs them, each into its own channel of the <see cref="IngestChannels"/> it is given, and the optional
/// <see cref="FeedRecorder"/>. First stage of the composition root: built at startup (<see cref="BuildAsync"/>),
/// <see cref="Start"/>ed after the ingest loops over the same channels, reports <see cref="IsLive"/> on
/// <c>/readyz</c>, and is disposed on shutdown: feeds stop and their channels complete (the ingest loops then drain
/// what they queued), the recording is closed. Owns the supervisor, the adapters and the recorder.
/// </summary>
public sealed class FeedSet : IAsyncDisposable
{
    private readonly ILogger _logger;
    private int _started;

    private FeedSet(FeedConfiguration configuration, InstrumentCatalog catalog, FeedSupervisor supervisor, FeedRecorder? recorder, ILogger logger)
    {
        Configuration = configuration;
        Catalog = catalog;
        Supervisor = supervisor;
        Recorder = recorder;
        _logger = logger;
    }

    public FeedConfiguration Configuration { get; }

    public InstrumentCatalog Catalog { get; }

    public FeedSupervisor Supervisor { get; }

    public FeedRecorder? Recorder { get; }

    /// <summary>Every feed running and delivering (the <c>/readyz</c> answer).</summary>
    public bool IsLive => Supervisor.IsLive;

    /// <summary>
    /// The <c>/readyz</c> body: <c>{"live":bool,"feeds":[{"name","kind","state","live","restarts","failures",
    /// "droppedTicks","lastError"}…]}</c>, so an operator sees which feed is holding readiness back and why.
    /// </summary>
    public string GetHealthJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteBoolean("live", IsLive);
            json.WriteStartArray("feeds");
            foreach (SupervisedFeed feed in Supervisor.Feeds)
            {
                json.WriteStartObject();
                json.WriteString("name", feed.Name);
                json.WriteString("kind", FeedConfiguration.KindName(Configuration.Feeds.First(f => f.Name == feed.Name).Kind));
                json.WriteString("state", feed.State.ToString().ToLowerInvariant());
                json.WriteBoolean("live", feed.IsLive);
                json.WriteNumber("instruments", feed.InstrumentIds.Count);
                json.WriteNumber("restarts", feed.Restarts);
                json.WriteNumber("failures", feed.Failures);
                json.WriteNumber("droppedTicks", feed.DroppedTicks);
                if (feed.LastError is { } error)
                {
                    json.WriteString("lastError", error.Message);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (Recorder is not null)
            {
                json.WriteStartObject("recording");
                json.WriteString("path", Recorder.Path);
                json.WriteNumber("recorded", Recorder.Recorded);
                json.WriteNumber("dropped", Recorder.Dropped);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The factories of the kinds the engine implements itself (synthetic, replay).</summary>
    public static IReadOnlyList<IFeedFactory> BuiltInFactories { get; } = [new SyntheticFeedFactory(), new ReplayFeedFactory()];

    /// <summary>
    /// Describes every feed, builds the catalog, creates the adapters and the supervisor (not started). Throws
    /// <see cref="FeedConfigurationException"/> naming the key for a kind without a factory, an unreadable capture, or
    /// a symbol published by two feeds.
    /// </summary>
    public static async Task<FeedSet> BuildAsync(
        FeedConfiguration configuration,
        IEnumerable<IFeedFactory> factories,
        IngestChannels channels,
        MarketPushMetrics? metrics = null,
        ILoggerFactory? loggerFactory = null,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(factories);
        ArgumentNullException.ThrowIfNull(channels);
        loggerFactory ??= NullLoggerFactory.Instance;
        timeProvider ??= TimeProvider.System;
        IFeedFactory[] available = [.. factories];

        var instruments = new List<Instrument>();
        var referencePrices = new List<long>();
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        var plans = new List<(FeedSettings Settings, IFeedFactory Factory, int[] Ids)>();
        foreach (FeedSettings feed in configuration.Feeds)
        {
            bool flag = feed.Key.StartsWith("--", StringComparison.Ordinal);
            IFeedFactory factory = available.FirstOrDefault(f => f.Kind == feed.Kind)
                ?? throw new FeedConfigurationException(flag ? feed.Key : feed.Key + ":Kind", $"{FeedConfiguration.KindName(feed.Kind)} feeds are not available in this build");
            IReadOnlyList<FeedInstrument> described = await factory.DescribeAsync(feed, cancellationToken).ConfigureAwait(false);
            int[] ids = new int[described.Count];
            for (int i = 0; i < described.Count; i++)
            {
                FeedInstrument instrument = described[i];
                string symbol = feed.Prefix + instrument.Symbol;
                if (!owners.TryAdd(symbol, feed.Name))
                {
                    throw new FeedConfigurationException(flag ? feed.Key : feed.Key + ":Prefix",
                        $"symbol '{symbol}' is also published by feed '{owners[symbol]}'; give one of the feeds its own Prefix");
                }

                ids[i] = instruments.Count;
                instruments.Add(new Instrument(instruments.Count, symbol, instrument.Decimals, instrument.TickSize, instrument.Description));
                referencePrices.Add(instrument.ReferencePrice);
            }

            plans.Add((feed, factory, ids));
        }

        var catalog = new InstrumentCatalog(instruments, referencePrices);
        ILogger logger = loggerFactory.CreateLogger("MarketPush.Feeds");
        FeedRecorder? recorder = configuration.RecordPath is null
            ? null
            : new FeedRecorder(configuration.RecordPath, catalog, logger: logger);
        var supervisor = new FeedSupervisor(catalog, channels, metrics, recorder, logger, timeProvider);
        foreach ((FeedSettings settings, IFeedFactory factory, int[] ids) in plans)
        {
            IFeedAdapter adapter = factory.Create(settings, catalog, ids, timeProvider, loggerFactory);
            supervisor.Add(adapter, settings.ToSupervisedOptions(ids));
        }

        return new FeedSet(configuration, catalog, supervisor, recorder, logger);
    }

    /// <summary>Starts the feeds; the ingest loops over their channels must be running already. Once.</summary>
    public void Start(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The feed set was already started.");
        }

        foreach (SupervisedFeed feed in Supervisor.Feeds)
        {
            _logger.LogInformation("Feed {Feed}: {Instruments} instruments, {Overflow} when ingest is full",
                Configuration.Feeds.First(f => f.Name == feed.Name), feed.InstrumentIds.Count, feed.Options.Overflow == FeedOverflowMode.DropOldest ? "drops the oldest" : "waits");
        }

        if (Recorder is not null)
        {
            _logger.LogInformation("Recording every feed to {Path}", Recorder.Path);
        }

        Supervisor.Start(cancellationToken);
    }

    /// <summary>Stops the feeds and completes their channels, closes the recording.</summary>
    public async ValueTask DisposeAsync() => await Supervisor.StopAsync().ConfigureAwait(false);
}
