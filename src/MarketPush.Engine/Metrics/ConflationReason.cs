namespace MarketPush.Engine.Metrics;

/// <summary>
/// Why an update was replaced by a newer one for the same symbol and channel before it was sent; the <c>reason</c>
/// label of <see cref="MetricNames.SessionConflatedUpdatesTotal"/>.
/// </summary>
public enum ConflationReason
{
    /// <summary>The client asked for at most <c>maxRate</c> updates per second (<c>max_rate</c>).</summary>
    MaxRate,

    /// <summary>The session's outbound queue was at its bound: the client reads too slowly (<c>queue_full</c>).</summary>
    QueueFull,
}
