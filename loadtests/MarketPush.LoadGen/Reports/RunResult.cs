using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// Everything one run measured: the JSON result file is this record, the Markdown and HTML reports render it, and the
/// bench summary reads it back. Rates are over the measurement window (warm-up excluded); latencies are microseconds
/// from the feed's <c>ts</c> to the runner's receipt, on the same host clock.
/// </summary>
public sealed record RunResult
{
    public string Tool { get; init; } = "MarketPush.LoadGen";

    public string Case { get; init; } = "";

    /// <summary>The contender (marketpush, aspnetcore, node-ws…).</summary>
    public string Label { get; init; } = "";

    public string Scenario { get; init; } = "";

    /// <summary>The <c>server</c> field of the welcome message.</summary>
    public string? ServerName { get; init; }

    public DateTimeOffset StartedAt { get; init; }

    public RunSettingsSummary Settings { get; init; } = new();

    public double WindowSeconds { get; init; }

    /// <summary>Quote updates received by the healthy connections in the window.</summary>
    public long DeliveredMessages { get; init; }

    public double DeliveredPerSecond { get; init; }

    /// <summary>What the feed offered (deliveries/s), when the caller said (<c>--offered</c>).</summary>
    public double? OfferedPerSecond { get; init; }

    /// <summary>Delivered plus the updates the seq gaps say were skipped: what a lossless server would have delivered.</summary>
    public long ExpectedBySeq { get; init; }

    /// <summary>All messages (quotes, replies, heartbeats) in the window.</summary>
    public long Messages { get; init; }

    /// <summary>Bytes read from the sockets in the window (frames, compressed when deflate is on).</summary>
    public long WireBytes { get; init; }

    public double WireBytesPerSecond { get; init; }

    /// <summary>Message bytes after inflation in the window.</summary>
    public long PayloadBytes { get; init; }

    public LatencySummary LatencyMicros { get; init; } = new();

    public long SeqGaps { get; init; }

    public long SeqRegressions { get; init; }

    /// <summary>Quotes whose ts was later than their receipt (recorded as 0 µs): a sign the feed's clock is off.</summary>
    public long FutureTimestamps { get; init; }

    public long Snapshots { get; init; }

    public long UnexpectedSymbols { get; init; }

    public long MalformedQuotes { get; init; }

    public long Heartbeats { get; init; }

    public long ErrorReplies { get; init; }

    public long ServerPings { get; init; }

    /// <summary>Closes the server started, by code (1006 = the connection ended without a close frame).</summary>
    public SortedDictionary<string, long> ClosesByCode { get; init; } = [];

    public ConnectionSummary Connections { get; init; } = new();

    public SlowSummary? Slow { get; init; }

    public ServerUsage? Server { get; init; }

    public RunnerUsage Runner { get; init; } = new();

    public LatencySummary? PingRoundTripMicros { get; init; }

    /// <summary>Server counters (<c>_total</c> series of <c>--metrics-url</c>) that moved during the window.</summary>
    public SortedDictionary<string, double>? ServerCounters { get; init; }

    public List<TimelinePoint> Timeline { get; init; } = [];

    /// <summary>Things that make the numbers suspect: a saturated runner, failed scrapes, errors from the server.</summary>
    public List<string> Warnings { get; init; } = [];
}
