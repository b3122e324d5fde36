using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Delivery outcomes one session counted but has not yet handed to the server-wide <see cref="DeliveryTotals"/> and
/// <see cref="MarketPushMetrics"/>: taken from its <see cref="DeliveryCounters"/> under the session's lock, reported
/// with <see cref="ReportTo"/> after the lock is released (a metrics listener is a callback, and no callback runs
/// under a lock). A plain value copied out of the lock; reporting it allocates nothing.
/// </summary>
internal struct DeliveryCountBatch
{
    public int RateConflations;
    public int QueueConflations;
    public int ResyncDrops;
    public int QueueFullDrops;
    public int ClosingDrops;

    /// <summary>Sum of the counts above; read without the lock as a hint by the send loop and the timer.</summary>
    public int Total;

    /// <summary>True when it holds a rare drop (queue full, session closing), which is reported at once.</summary>
    public readonly bool HasUrgent => QueueFullDrops != 0 || ClosingDrops != 0;

    public readonly void ReportTo(DeliveryTotals? totals, MarketPushMetrics? metrics)
    {
        if (Total == 0)
        {
            return;
        }

        int conflated = RateConflations + QueueConflations;
        int dropped = ResyncDrops + QueueFullDrops + ClosingDrops;
        if (totals is not null)
        {
            if (conflated != 0)
            {
                totals.AddConflated(conflated);
            }

            if (dropped != 0)
            {
                totals.AddDropped(dropped);
            }
        }

        if (metrics is null)
        {
            return;
        }

        if (RateConflations != 0)
        {
            metrics.Conflated(ConflationReason.MaxRate, RateConflations);
        }

        if (QueueConflations != 0)
        {
            metrics.Conflated(ConflationReason.QueueFull, QueueConflations);
        }

        if (ResyncDrops != 0)
        {
            metrics.Dropped(DropReason.BookResync, ResyncDrops);
        }

        if (QueueFullDrops != 0)
        {
            metrics.Dropped(DropReason.QueueFull, QueueFullDrops);
        }

        if (ClosingDrops != 0)
        {
            metrics.Dropped(DropReason.SessionClosing, ClosingDrops);
        }
    }
}
