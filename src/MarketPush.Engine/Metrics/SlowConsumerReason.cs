namespace MarketPush.Engine.Metrics;

/// <summary>
/// Why a session was closed with 4001 (slow consumer); the <c>reason</c> label of
/// <see cref="MetricNames.SessionSlowConsumerClosesTotal"/>.
/// </summary>
public enum SlowConsumerReason
{
    /// <summary>Its outbound queue stayed full longer than <c>slowConsumerMs</c> (<c>queue_full</c>).</summary>
    QueueFull,

    /// <summary>One socket write did not complete within the write timeout (<c>write_stalled</c>).</summary>
    WriteStalled,
}
