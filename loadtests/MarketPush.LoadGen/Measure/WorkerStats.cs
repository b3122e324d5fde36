namespace MarketPush.LoadGen.Measure;

/// <summary>
/// Counters and histograms of one I/O worker. Written only by that worker's thread (plain increments, no atomics on
/// the hot path); the control thread reads the counters once a second for the progress line (64-bit reads are atomic,
/// a value a few messages old is fine) and everything else after the worker has stopped and been joined.
/// </summary>
internal sealed class WorkerStats
{
    // Whole run, for the progress line.
    public long Quotes;
    public long WireBytes;
    public long OpenConnections;
    public long ClosesByServer;
    public long SeqGaps;

    // Measurement window only (warm-up excluded); these make the results.
    public long WindowQuotes;
    public long WindowWireBytes;
    public long WindowPayloadBytes;
    public long WindowSeqGaps;
    public long WindowMessages;

    public long SeqRegressions;
    public long Snapshots;
    public long UnexpectedSymbols;
    public long MalformedQuotes;
    public long Heartbeats;
    public long ErrorReplies;
    public long ServerPings;
    public long ConnectionsOpened;
    public long ConnectErrors;
    public long HandshakeFailures;
    public long HandshakeTimeouts;
    public long ProtocolViolations;
    public long ChurnCycles;
    public long WindowChurnCycles;
    public long SlowConnections;
    public long SlowClosedByServer;
    public long SlowDrainedMessages;
    public long MissingWelcome;

    /// <summary>Quotes in the window whose ts was later than their receipt: the feed's clock is not the runner's.</summary>
    public long WindowFutureTimestamps;

    public string? ServerName;
    public string? WelcomeCompression;
    public string? FirstError;

    /// <summary>Close codes received from the server on connections the runner did not close (1006 = no close frame).</summary>
    public Dictionary<int, long> ClosesByCode { get; } = [];

    /// <summary>Close codes the slow readers got (learnt by draining after the server hung up).</summary>
    public Dictionary<int, long> SlowClosesByCode { get; } = [];

    /// <summary>Handshake answers other than 101, by HTTP status (0 = unparseable or wrong accept key).</summary>
    public Dictionary<int, long> HandshakeStatus { get; } = [];

    /// <summary>Failed connect() attempts by errno.</summary>
    public Dictionary<int, long> ConnectErrnos { get; } = [];

    /// <summary>Feed ts → receipt, µs, for healthy connections inside the window.</summary>
    public LatencyHistogram WindowLatency { get; } = new();

    /// <summary>connect() → 101 response parsed, µs.</summary>
    public LatencyHistogram HandshakeTime { get; } = new();

    /// <summary>connect() → every subscribe acknowledged (or the first quote), µs.</summary>
    public LatencyHistogram ReadyTime { get; } = new();

    /// <summary>Client ping → pong round trip, µs (only with --ping-ms).</summary>
    public LatencyHistogram PingRoundTrip { get; } = new();

    public static void Increment(Dictionary<int, long> counts, int key)
    {
        ArgumentNullException.ThrowIfNull(counts);
        counts[key] = counts.GetValueOrDefault(key) + 1;
    }
}
