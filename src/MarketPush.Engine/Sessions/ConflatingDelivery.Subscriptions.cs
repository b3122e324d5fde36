namespace MarketPush.Engine.Sessions;

/// <summary>
/// A session's subscriptions changing under its delivery (receive loop: a new maxRate, an unsubscribe; any thread: the
/// session's end) and the slow-consumer check a caller may make at any time. Each takes the lock once; the 4001 close
/// and the hand-over of counts run after it is released.
/// </summary>
public sealed partial class ConflatingDelivery
{
    /// <summary>Changes a subscription's maxRate; a value held for the old rate is rescheduled for the new one.</summary>
    public void SetMaxRate(Subscription subscription, double maxRate)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            long interval = ToIntervalTicks(maxRate, _time.TimestampFrequency);
            long lastSend = subscription.NextAllowed - subscription.IntervalTicks;
            subscription.MaxRate = maxRate;
            subscription.IntervalTicks = interval;
            subscription.NextAllowed = lastSend + interval;
            if (subscription.State == Subscription.SlotState.RateWait)
            {
                _scheduler.Schedule(subscription, subscription.NextAllowed);
            }
        }
    }

    /// <summary>Ends a subscription (unsubscribe, new depth, session end): it refuses further updates and drops what it held.</summary>
    public void Remove(Subscription subscription)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        lock (_gate)
        {
            if (subscription.Removed)
            {
                return;
            }

            Volatile.Write(ref subscription.Removed, true);
            Unpark(subscription);
            if (_queueWait.Count == 0)
            {
                _deadline.Stop();
            }
        }
    }

    /// <summary>
    /// The session ended or is closing for good: refuse further updates and release every held frame. Idempotent.
    /// Call after the subscriptions were taken out of the router (they are <see cref="Remove"/>d or simply dropped).
    /// </summary>
    public void Complete()
    {
        DeliveryCountBatch report;
        lock (_gate)
        {
            _completed = true;
            ReleaseAllHeld();
            _deadline.Cancel();
            report = _counters.TakeAll();
        }

        _counters.Report(report);
    }

    /// <summary>
    /// Closes the session with 4001 when its queue has stayed full for longer than the limit; for timers, so a slow
    /// consumer is closed even when no update arrives to notice it. Returns true when it closed the session now.
    /// </summary>
    public bool CheckSlowConsumer()
    {
        long now = _time.GetTimestamp();
        bool close;
        lock (_gate)
        {
            close = IsSlowConsumerLocked(now);
        }

        if (close)
        {
            CloseSlowConsumer();
        }

        return close;
    }
}
