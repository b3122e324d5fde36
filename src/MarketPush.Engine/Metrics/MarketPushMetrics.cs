using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// Every MarketPush instrument, on one <see cref="System.Diagnostics.Metrics.Meter"/> named <c>MarketPush</c>, with one
/// recording method per event so that no stage builds tags, names or strings itself. Sits beside the data path:
/// the transport, sessions, router, ingest and feed stages call into it; <see cref="MetricsCollector"/> listens and
/// <c>/metrics</c> exposes what it aggregated.
/// </summary>
/// <remarks>
/// <para>
/// One instance per host, handed to each stage (constructor argument, or DI: <c>services.AddMarketPushMetrics()</c>
/// registers it as a singleton). Not a static: tests build their own instance and collector and see only their
/// own counts while other tests run in parallel. A stage that is built without metrics can take
/// <c>new MarketPushMetrics()</c>: with no listener attached every call is a single enabled-check.
/// </para>
/// <para>
/// Every method is thread-safe and allocation-free (a test holds them to zero bytes with the collector
/// listening): label values come from arrays built once in <see cref="MetricTags"/>, and feed-labelled counters go
/// through a <see cref="FeedMetrics"/> handle that holds its own tag array. The methods called per message
/// (<see cref="MessagesSent(WireEncoding, bool, int)"/>, <see cref="TickAgeAtWrite(long, long)"/>,
/// <see cref="FeedMetrics.UpdateReceived(double)"/>) cost an enabled-check and, when listened to, an
/// interlocked add on a shared series.
/// </para>
/// </remarks>
public sealed partial class MarketPushMetrics : IDisposable
{
    public const string MeterName = "MarketPush";

    // Histogram bucket upper bounds, given to the collector as instrument advice (InstrumentAdvice, .NET 9).
    // Tick age: from 50 µs (an idle loopback hop) to 5 s (a stalled client), roughly 1-2.5-5 per decade.
    internal static readonly double[] TickAgeBucketsSeconds =
        [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    // Frames per write: powers of two up to a full default queue (OutboundQueue.DefaultMaxFrames = 1024).
    internal static readonly int[] WriteFramesBuckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

    // Queue depth at wake-up: 0 shows an idle session was woken for one frame; the top buckets are near the bound.
    internal static readonly int[] QueueFramesBuckets = [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

    private readonly bool _ownsMeter;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, FeedMetrics> _feeds = new(StringComparer.Ordinal);
    private long _connectionLimit;

    private readonly UpDownCounter<long> _openConnections;
    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _sentMessages;
    private readonly Counter<long> _sentBytes;
    private readonly Histogram<int> _writeFrames;
    private readonly Histogram<double> _tickAge;
    private readonly Counter<long> _sessionCloses;
    private readonly UpDownCounter<long> _subscriptions;
    private readonly Histogram<int> _queueFrames;
    private readonly Counter<long> _conflated;
    private readonly Counter<long> _dropped;
    private readonly Counter<long> _slowConsumerCloses;
    private readonly Counter<long> _compressedMessages;
    private readonly Counter<long> _compressionInput;
    private readonly Counter<long> _compressionOutput;
    private readonly KeyValuePair<string, object?>[][] _knownSessionCloses;

    /// <param name="meterFactory">DI's factory (then it owns the meter); null creates and owns a plain Meter.</param>
    /// <param name="timeProvider">Clock for feed staleness; tests pass a manual one.</param>
    /// <param name="knownSessionCloses">
    /// The (code, reason) pairs a session end is known to be recorded with (the host passes every named disconnect
    /// reason, plus the codes clients commonly close with): each gets a zero series at startup, so the sessions-closed
    /// panel shows 0 rather than nothing until the first session of that kind ends. Given rather than looked up, so
    /// that metrics know no stage.
    /// </param>
    public MarketPushMetrics(IMeterFactory? meterFactory = null, TimeProvider? timeProvider = null, IReadOnlyList<(ushort Code, string Name)>? knownSessionCloses = null)
    {
        _knownSessionCloses = [.. (knownSessionCloses ?? []).Select(static c => MetricTags.SessionClose(c.Code, c.Name))];
        _time = timeProvider ?? TimeProvider.System;
        _ownsMeter = meterFactory is null;
        Meter = meterFactory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        Meter m = Meter;

        _openConnections = m.CreateUpDownCounter<long>(MetricNames.TransportOpenConnections, "{connection}",
            "WebSocket connections currently open.");
        // Exported from startup, unlimited too: a dashboard panel or alert on it shows 0 rather than "No data".
        m.CreateObservableGauge(MetricNames.TransportConnectionLimit, () => Volatile.Read(ref _connectionLimit), "{connection}",
            "Configured maximum of open WebSocket connections; 0 = unlimited.");
        _handshakes = m.CreateCounter<long>(MetricNames.TransportHandshakesTotal, "{handshake}",
            "WebSocket upgrade requests by how they were answered.");
        _sentMessages = m.CreateCounter<long>(MetricNames.TransportSentMessagesTotal, "{message}",
            "WebSocket messages written to client sockets.");
        _sentBytes = m.CreateCounter<long>(MetricNames.TransportSentBytesTotal, "By",
            "Bytes of WebSocket messages written to client sockets, frame headers included.");
        _writeFrames = m.CreateHistogram(MetricNames.TransportWriteFrames, "{frame}",
            "Frames carried by one socket write.", tags: null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = WriteFramesBuckets });
        _tickAge = m.CreateHistogram(MetricNames.TransportTickAgeSeconds, "s",
            "Age of a tick when the socket write carrying it starts: write time minus feed ts.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = TickAgeBucketsSeconds });

        _sessionCloses = m.CreateCounter<long>(MetricNames.SessionClosesTotal, "{session}",
            "Sessions ended, by close code and disconnect reason.");
        _subscriptions = m.CreateUpDownCounter<long>(MetricNames.SessionSubscriptions, "{subscription}",
            "Active symbol and channel subscriptions over all sessions.");
        _queueFrames = m.CreateHistogram(MetricNames.SessionOutboundQueueFrames, "{frame}",
            "Frames waiting in a session's outbound queue when its send loop wakes up.", tags: null,
            new InstrumentAdvice<int> { HistogramBucketBoundaries = QueueFramesBuckets });
        _conflated = m.CreateCounter<long>(MetricNames.SessionConflatedUpdatesTotal, "{update}",
            "Updates replaced by a newer one for the same symbol and channel before being sent.");
        _dropped = m.CreateCounter<long>(MetricNames.SessionDroppedUpdatesTotal, "{update}",
            "Frames not queued for a session.");
        _slowConsumerCloses = m.CreateCounter<long>(MetricNames.SessionSlowConsumerClosesTotal, "{session}",
            "Sessions closed with 4001 because they read too slowly.");

        _compressedMessages = m.CreateCounter<long>(MetricNames.CompressionMessagesTotal, "{message}",
            "Messages compressed with permessage-deflate (once per message and wire variant).");
        _compressionInput = m.CreateCounter<long>(MetricNames.CompressionInputBytesTotal, "By",
            "Bytes given to the deflate compressor.");
        _compressionOutput = m.CreateCounter<long>(MetricNames.CompressionOutputBytesTotal, "By",
            "Bytes produced by the deflate compressor.");

        FeedReceivedUpdates = m.CreateCounter<long>(MetricNames.FeedReceivedUpdatesTotal, "{update}",
            "Updates received from a feed.");
        IngestDroppedUpdates = m.CreateCounter<long>(MetricNames.IngestDroppedUpdatesTotal, "{update}",
            "Updates dropped because the feed's ingest channel was full.");
        m.CreateObservableGauge(MetricNames.FeedLagSeconds, ObserveFeedLag, "s",
            "Feed ts of the feed's latest update to the moment the server received it.");
        m.CreateObservableGauge(MetricNames.FeedStalenessSeconds, ObserveFeedStaleness, "s",
            "Seconds since the feed's latest update.");
        m.CreateObservableGauge(MetricNames.IngestQueuedUpdates, ObserveIngestDepth, "{update}",
            "Updates waiting in the feed's ingest channel.");

        CreateProcessInstruments(m);
    }

    /// <summary>The <c>MarketPush</c> meter; give it to <see cref="MetricsCollector"/>.</summary>
    public Meter Meter { get; }

    internal Counter<long> FeedReceivedUpdates { get; }

    internal Counter<long> IngestDroppedUpdates { get; }

    internal TimeProvider Time => _time;

    // Clients -------------------------------------------------------------------------------------------------

    /// <summary>Transport, once per upgrade request, after answering it.</summary>
    public void HandshakeCompleted(HandshakeResult result) =>
        _handshakes.Add(1, MetricTags.Pick(MetricTags.HandshakeResults, (int)result));

    /// <summary>
    /// Transport, once per upgrade request, with the HTTP status it answered (<c>HandshakeOutcome.StatusCode</c>):
    /// 101 accepted, 400/405 bad_request, 401 unauthorized, 403 forbidden, 426 unsupported_version, 503 over_limit,
    /// anything else error.
    /// </summary>
    public void HandshakeCompleted(int httpStatusCode) => HandshakeCompleted(httpStatusCode switch
    {
        101 => HandshakeResult.Accepted,
        400 or 405 => HandshakeResult.BadRequest,
        401 => HandshakeResult.Unauthorized,
        403 => HandshakeResult.Forbidden,
        426 => HandshakeResult.UnsupportedVersion,
        503 => HandshakeResult.OverLimit,
        _ => HandshakeResult.Error,
    });

    /// <summary>Transport, after the 101 is sent. Pair each call with exactly one <see cref="ConnectionClosed"/>.</summary>
    public void ConnectionOpened() => _openConnections.Add(1);

    /// <summary>Transport, when the connection's loops have ended.</summary>
    public void ConnectionClosed() => _openConnections.Add(-1);

    /// <summary>Startup: the configured connection limit; 0 or less means unlimited and is exported as 0.</summary>
    public void SetConnectionLimit(int limit) => Volatile.Write(ref _connectionLimit, Math.Max(0, limit));

    /// <summary>
    /// Session, once when it ends. <paramref name="reasonName"/> is the low-cardinality
    /// <c>DisconnectReason.Name</c> (<c>slow_consumer</c>, <c>client_closed</c>…); a close code outside the ones
    /// RFC 6455 and PROTOCOL.md define is exported as <c>other</c>.
    /// </summary>
    public void SessionClosed(ushort closeCode, string reasonName) =>
        _sessionCloses.Add(1,
            new KeyValuePair<string, object?>(MetricLabels.Code, MetricTags.CloseCode(closeCode)),
            new KeyValuePair<string, object?>(MetricLabels.Reason, reasonName));

    /// <summary>Session/router, after a subscribe command added this many new (symbol, channel) pairs.</summary>
    public void SubscriptionsAdded(int count) => _subscriptions.Add(count);

    /// <summary>Session/router, after an unsubscribe or a session end removed this many pairs.</summary>
    public void SubscriptionsRemoved(int count) => _subscriptions.Add(-count);

    // Throughput and freshness (send loop) ------------------------------------------------------------------

    /// <summary>Send loop: one message of <paramref name="bytes"/> wire bytes (header + payload) was written.</summary>
    public void MessagesSent(WireEncoding encoding, bool compressed, int bytes) =>
        MessagesSent(encoding, compressed, 1, bytes);

    /// <summary>Send loop: <paramref name="messages"/> messages, <paramref name="bytes"/> wire bytes in total, were written.</summary>
    public void MessagesSent(WireEncoding encoding, bool compressed, int messages, long bytes)
    {
        KeyValuePair<string, object?>[] tags = MetricTags.Sent(encoding, compressed);
        _sentMessages.Add(messages, tags);
        _sentBytes.Add(bytes, tags);
    }

    /// <summary>Send loop, once per socket write: how many frames the write carried.</summary>
    public void SocketWrite(int frames) => _writeFrames.Record(frames);

    /// <summary>
    /// Send loop, per tick in a write: feed <c>ts</c> and write time, both microseconds since the Unix epoch
    /// (PROTOCOL.md's <c>ts</c>). A feed clock ahead of ours records 0 rather than a negative age.
    /// </summary>
    public void TickAgeAtWrite(long feedTimestampMicros, long writeTimeMicros) =>
        TickAgeAtWrite(Math.Max(0, writeTimeMicros - feedTimestampMicros) / 1_000_000.0);

    /// <summary>Send loop: the age of a tick at its socket write, in seconds.</summary>
    public void TickAgeAtWrite(double ageSeconds) => _tickAge.Record(ageSeconds);

    /// <summary>Send loop, once per wake-up: frames in the outbound queue before it drains.</summary>
    public void OutboundQueueDepth(int frames) => _queueFrames.Record(frames);

    // Backpressure -----------------------------------------------------------------------------------------

    /// <summary>Queue or rate limiter: <paramref name="count"/> pending updates were replaced by newer ones.</summary>
    public void Conflated(ConflationReason reason, int count = 1) =>
        _conflated.Add(count, MetricTags.Pick(MetricTags.ConflationReasons, (int)reason));

    /// <summary>Queue: <paramref name="count"/> frames were not queued for a session.</summary>
    public void Dropped(DropReason reason, int count = 1) =>
        _dropped.Add(count, MetricTags.Pick(MetricTags.DropReasons, (int)reason));

    /// <summary>Session, when it decides to close with 4001 (also call <see cref="SessionClosed"/> when it ends).</summary>
    public void SlowConsumerClosed(SlowConsumerReason reason) =>
        _slowConsumerCloses.Add(1, MetricTags.Pick(MetricTags.SlowConsumerReasons, (int)reason));

    // Compression ------------------------------------------------------------------------------------------

    /// <summary>Whoever builds the compressed variant of a message, once per message (not per subscriber).</summary>
    public void Compressed(int inputBytes, int outputBytes)
    {
        _compressedMessages.Add(1);
        _compressionInput.Add(inputBytes);
        _compressionOutput.Add(outputBytes);
    }

    // Feeds ------------------------------------------------------------------------------------------------

    /// <summary>
    /// The handle a feed adapter and its ingest channel record through. Call once when the feed starts and keep
    /// the handle (the same name returns the same handle). The name becomes the <c>feed</c> label: use the
    /// configured feed name, never anything per symbol or per connection.
    /// </summary>
    public FeedMetrics Feed(string feedName)
    {
        ArgumentException.ThrowIfNullOrEmpty(feedName);
        FeedMetrics feed = _feeds.GetOrAdd(feedName, static (name, self) => new FeedMetrics(self, name), this);
        feed.InitializeKnownSeries();
        return feed;
    }

    /// <summary>
    /// Called by <see cref="MetricsCollector"/> once it listens: creates every series whose label set is known in
    /// advance (recording 0, or directly for tagless instruments), so each exists from the first scrape. Prometheus cannot see the first increment of a series that appears
    /// with value 1 (<c>increase()</c> needs two samples), and the slow-consumer alert depends on exactly that.
    /// </summary>
    internal void InitializeKnownSeries(MetricsCollector collector)
    {
        foreach (string name in (ReadOnlySpan<string>)[
            MetricNames.TransportOpenConnections, MetricNames.TransportWriteFrames, MetricNames.TransportTickAgeSeconds,
            MetricNames.SessionSubscriptions, MetricNames.SessionOutboundQueueFrames, MetricNames.CompressionMessagesTotal,
            MetricNames.CompressionInputBytesTotal, MetricNames.CompressionOutputBytesTotal])
        {
            collector.EnsureUnlabelledSeries(name);
        }

        foreach (KeyValuePair<string, object?>[] tags in MetricTags.HandshakeResults)
        {
            _handshakes.Add(0, tags);
        }

        foreach (WireEncoding encoding in (ReadOnlySpan<WireEncoding>)[WireEncoding.Json, WireEncoding.MessagePack])
        {
            MessagesSent(encoding, compressed: false, messages: 0, bytes: 0);
            MessagesSent(encoding, compressed: true, messages: 0, bytes: 0);
        }

        foreach (KeyValuePair<string, object?>[] tags in MetricTags.ConflationReasons)
        {
            _conflated.Add(0, tags);
        }

        foreach (KeyValuePair<string, object?>[] tags in MetricTags.DropReasons)
        {
            _dropped.Add(0, tags);
        }

        foreach (KeyValuePair<string, object?>[] tags in MetricTags.SlowConsumerReasons)
        {
            _slowConsumerCloses.Add(0, tags);
        }

        foreach (KeyValuePair<string, object?>[] tags in _knownSessionCloses)
        {
            _sessionCloses.Add(0, tags);
        }

        foreach (FeedMetrics feed in _feeds.Values)
        {
            feed.InitializeKnownSeries();
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            Meter.Dispose();
        }
    }

    // Observable callbacks run on the scraping thread, inside MeterListener.RecordObservableInstruments.
    private IEnumerable<Measurement<double>> ObserveFeedLag()
    {
        foreach (FeedMetrics feed in _feeds.Values)
        {
            if (feed.TryGetLag(out double lag))
            {
                yield return new Measurement<double>(lag, feed.Tags);
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveFeedStaleness()
    {
        foreach (FeedMetrics feed in _feeds.Values)
        {
            yield return new Measurement<double>(feed.StalenessSeconds(), feed.Tags);
        }
    }

    private IEnumerable<Measurement<long>> ObserveIngestDepth()
    {
        foreach (FeedMetrics feed in _feeds.Values)
        {
            if (feed.TryGetIngestDepth(out long depth))
            {
                yield return new Measurement<long>(depth, feed.Tags);
            }
        }
    }
}
