namespace MarketPush.Engine.Metrics;

/// <summary>
/// One feed's metrics handle, from <see cref="MarketPushMetrics.Feed"/>: holds the feed's tag array so the per-update
/// calls allocate nothing, and the latest lag and arrival time that the lag and staleness gauges read at scrape.
/// </summary>
/// <remarks>
/// Written by the feed adapter's read loop (<see cref="UpdateReceived(double)"/>) and its ingest writer
/// (<see cref="IngestDropped"/>); read by the scraping thread. The two fields are written with
/// <see cref="Volatile"/> and read independently: a scrape may pair one update's lag with the next one's arrival
/// time, which is harmless for gauges.
/// </remarks>
public sealed class FeedMetrics
{
    private readonly MarketPushMetrics _owner;
    private long _lastUpdateTimestamp;
    private long _lagBits = BitConverter.DoubleToInt64Bits(double.NaN);
    private Func<long>? _ingestDepth;

    internal FeedMetrics(MarketPushMetrics owner, string name)
    {
        _owner = owner;
        Name = name;
        Tags = MetricTags.Tag(MetricLabels.Feed, name);
        // A feed that never delivers shows staleness growing from its registration, so the stale-feed alert fires.
        _lastUpdateTimestamp = owner.Time.GetTimestamp();
    }

    /// <summary>The <c>feed</c> label value.</summary>
    public string Name { get; }

    internal KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>One update arrived; <paramref name="lagSeconds"/> is receive time minus the update's feed <c>ts</c>.</summary>
    public void UpdateReceived(double lagSeconds) => UpdatesReceived(1, lagSeconds);

    /// <summary>One update arrived; both times are microseconds since the Unix epoch (PROTOCOL.md <c>ts</c>).</summary>
    public void UpdateReceived(long feedTimestampMicros, long receivedTimeMicros) =>
        UpdatesReceived(1, (receivedTimeMicros - feedTimestampMicros) / 1_000_000.0);

    /// <summary>
    /// A batch of <paramref name="count"/> updates arrived; <paramref name="latestLagSeconds"/> belongs to the newest.
    /// A negative lag (feed clock ahead of ours) is kept as is: the gauge is where clock skew shows.
    /// </summary>
    public void UpdatesReceived(int count, double latestLagSeconds)
    {
        _owner.FeedReceivedUpdates.Add(count, Tags);
        Volatile.Write(ref _lagBits, BitConverter.DoubleToInt64Bits(latestLagSeconds));
        Volatile.Write(ref _lastUpdateTimestamp, _owner.Time.GetTimestamp());
    }

    /// <summary>Ingest: the bounded channel dropped <paramref name="count"/> updates (its <c>itemDropped</c> callback).</summary>
    public void IngestDropped(int count = 1) => _owner.IngestDroppedUpdates.Add(count, Tags);

    /// <summary>
    /// Ingest, once at startup: how to read the channel's depth (e.g. <c>() =&gt; channel.Reader.Count</c>). Read only
    /// at scrape time, so the hot path pays nothing; until set, the feed exports no depth.
    /// </summary>
    public void ObserveIngestDepth(Func<long> readDepth)
    {
        ArgumentNullException.ThrowIfNull(readDepth);
        Volatile.Write(ref _ingestDepth, readDepth);
    }

    // See MarketPushMetrics.InitializeKnownSeries: both counters exist at 0 from the first scrape after registration.
    internal void InitializeKnownSeries()
    {
        _owner.FeedReceivedUpdates.Add(0, Tags);
        _owner.IngestDroppedUpdates.Add(0, Tags);
    }

    internal bool TryGetLag(out double lagSeconds)
    {
        lagSeconds = BitConverter.Int64BitsToDouble(Volatile.Read(ref _lagBits));
        return !double.IsNaN(lagSeconds);
    }

    internal double StalenessSeconds() =>
        _owner.Time.GetElapsedTime(Volatile.Read(ref _lastUpdateTimestamp)).TotalSeconds;

    internal bool TryGetIngestDepth(out long depth)
    {
        depth = 0;
        Func<long>? read = Volatile.Read(ref _ingestDepth);
        if (read is null)
        {
            return false;
        }

        try
        {
            depth = read();
            return true;
        }
        catch (Exception)
        {
            // The callback belongs to the ingest stage; if it fails (channel disposed during shutdown) the scrape
            // goes on without this one gauge rather than answering 500.
            return false;
        }
    }
}
