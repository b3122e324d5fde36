namespace MarketPush.Engine.Metrics;

/// <summary>
/// Why a frame was not queued for a session at all; the <c>reason</c> label of
/// <see cref="MetricNames.SessionDroppedUpdatesTotal"/>.
/// </summary>
public enum DropReason
{
    /// <summary>The outbound queue was full and the frame could not be conflated (<c>queue_full</c>).</summary>
    QueueFull,

    /// <summary>A book delta skipped because the session has a gap and gets a snapshot next (<c>book_resync</c>).</summary>
    BookResync,

    /// <summary>A control frame (pong, heartbeat) past the queue's small control cap (<c>control_cap</c>).</summary>
    ControlCap,

    /// <summary>The session was already closing (<c>session_closing</c>).</summary>
    SessionClosing,
}
