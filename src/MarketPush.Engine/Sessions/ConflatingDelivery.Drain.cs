using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Where held values leave their slots: the send loop after each write (queue wait, oldest first), the timer wheel when
/// a maxRate interval is over (rate wait), and the wheel again at the slow-consumer deadline. A held value is a frame
/// the slot already owns a reference to, queued under the lock; a due snapshot is built outside it
/// (<c>ConflatingDelivery.Snapshots.cs</c>).
/// </summary>
public sealed partial class ConflatingDelivery
{
    /// <summary>
    /// Send loop (the queue's drain callback, run before it waits again, outside the queue's lock), so after each
    /// completed write: the consumer made progress, so the slow-consumer clock restarts, and queue-waiting
    /// subscriptions are flushed, oldest first, while the queue takes them. Takes the lock once per subscription, so
    /// the router waits at most one enqueue behind it; a due snapshot is built between two lock regions.
    /// </summary>
    public void OnDrained()
    {
        // Both reads are hints (written under the lock): the send loop calls this after every write.
        if (_counters.HasUnreported)
        {
            ReportUnreported();
        }

        if (_queueWait.CountHint == 0)
        {
            return;
        }

        FlushQueueWait();
        // A held value refused by a closing queue counts as a drop, which is reported at once.
        ReportDue();
    }

    // ---- Timer wheel ----------------------------------------------------------------------------------------

    internal void OnRateDue(Subscription subscription, long now)
    {
        FlushRateWait(subscription, now);
        ReportDue();
    }

    private void FlushQueueWait()
    {
        long now = _time.GetTimestamp();
        bool first = true;
        int staleSnapshots = 0;
        while (true)
        {
            Subscription subscription;
            lock (_gate)
            {
                AssertInvariants();
                if (_completed || _queueWait.Head is null)
                {
                    return;
                }

                if (first)
                {
                    _deadline.Restart(now);
                    first = false;
                }

                subscription = _queueWait.Head;
                if (!subscription.NeedsSnapshot)
                {
                    if (!FlushHeldLocked(subscription))
                    {
                        return;
                    }

                    LeaveQueueWait(subscription, now);
                    if (_queueWait.Count == 0)
                    {
                        return;
                    }

                    continue;
                }
            }

            // The head is due a snapshot: built with no lock held, then committed if nothing newer arrived meanwhile.
            if (!FlushSnapshotFromQueueWait(subscription, now, ref staleSnapshots))
            {
                return;
            }
        }
    }

    private void FlushRateWait(Subscription subscription, long now)
    {
        bool closeSlow;
        lock (_gate)
        {
            AssertInvariants();
            if (_completed || subscription.Removed || subscription.State != Subscription.SlotState.RateWait)
            {
                return;
            }

            if (now < subscription.NextAllowed)
            {
                // The rate was lowered while waiting.
                _scheduler.Schedule(subscription, subscription.NextAllowed);
                return;
            }

            if (subscription.NeedsSnapshot && _queueWait.Count == 0)
            {
                // Falls through to the snapshot path below, outside the lock; the subscription stays in rate wait
                // until it is committed, so updates meanwhile are still conflated (or, for a book, skipped).
                closeSlow = false;
            }
            else
            {
                _rateWait.Remove(subscription);
                subscription.State = Subscription.SlotState.Idle;
                if (_queueWait.Count > 0)
                {
                    // Join the line; a due snapshot is built when its turn comes (OnDrained).
                    AddToQueueWait(subscription);
                }
                else if (FlushHeldLocked(subscription))
                {
                    subscription.NextAllowed = now + subscription.IntervalTicks;
                }
                else
                {
                    _deadline.Start(now);
                    AddToQueueWait(subscription);
                }

                closeSlow = IsSlowConsumerLocked(now);
                if (!closeSlow)
                {
                    return;
                }
            }
        }

        if (closeSlow)
        {
            CloseSlowConsumer();
            return;
        }

        FlushSnapshotFromRateWait(subscription, now);
    }

    /// <summary>The slow-consumer deadline (wheel thread): close if the queue is still stuck, else wait for the deadline of the newest stretch.</summary>
    void ISlowConsumerDeadlineHandler.OnDeadline(long timestamp)
    {
        if (_counters.HasUnreported)
        {
            ReportUnreported();
        }

        lock (_gate)
        {
            if (!_deadline.IsRunning || _completed || !_deadline.CheckExpired(timestamp, rearm: true))
            {
                return;
            }

            _completed = true;
            ReleaseAllHeld();
        }

        CloseSlowConsumer();
    }

    // ---- Helpers --------------------------------------------------------------------------------------------

    /// <summary>Under the lock: queues the subscription's held frame, if any; false when the queue is full.</summary>
    private bool FlushHeldLocked(Subscription subscription)
    {
        SharedFrame? frame = subscription.PendingFrame;
        if (frame is null)
        {
            return true;
        }

        EnqueueResult queued = _queue.TryEnqueue(frame);
        if (queued == EnqueueResult.Overflow)
        {
            return false;
        }

        if (queued == EnqueueResult.Enqueued)
        {
            _counters.CountEnqueued();
        }
        else
        {
            _counters.CountDropped(DropReason.SessionClosing);
        }

        ReleasePending(subscription);
        return true;
    }

    /// <summary>Hands counts over if they are due (a rare drop, or the batching interval is over); no lock when there are none.</summary>
    private void ReportDue()
    {
        if (!_counters.HasUnreported)
        {
            return;
        }

        DeliveryCountBatch report;
        lock (_gate)
        {
            report = _counters.TakeIfDue(_time.GetTimestamp());
        }

        _counters.Report(report);
    }

    /// <summary>Hands whatever is counted but not yet reported to the totals and metrics (takes the lock once).</summary>
    private void ReportUnreported()
    {
        DeliveryCountBatch report;
        lock (_gate)
        {
            report = _counters.TakeAll();
        }

        _counters.Report(report);
    }
}
