namespace MarketPush.LoadGen.Reports;

/// <summary>The slow readers of the slow scenario: how many, and what the server did with them.</summary>
public sealed record SlowSummary
{
    public long Connections { get; init; }

    public long ClosedByServer { get; init; }

    public SortedDictionary<string, long> ClosesByCode { get; init; } = [];

    /// <summary>Messages read from the slow sockets after the server hung up (to find the close code); not in the latencies.</summary>
    public long DrainedMessages { get; init; }
}
