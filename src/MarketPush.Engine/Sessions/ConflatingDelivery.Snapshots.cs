using System.Diagnostics;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Snapshots for a session: the subscribe snapshot (<see cref="Activate"/>, receive loop) and the recovery snapshot
/// after a book gap or a subscribe snapshot that did not fit (send loop, timer wheel). Built from the
/// <see cref="ISnapshotSource"/> with no lock held, then committed under the lock.
/// </summary>
/// <remarks>
/// Why no lock while building: encoding a snapshot reads the last-value cache and runs an encoder, tens of
/// microseconds for a deep book; under this session's lock that stalls the router's deliveries to the session, and it
/// was a call back up into the router from under a lock. So the build runs unlocked and the commit checks, under the
/// lock, whether it is still right: while it was built the subscription kept refusing updates (inactive before
/// activation; "needs snapshot" during a resync, which skips book deltas and conflates quotes and trades), and every
/// offer records its <c>seq</c> in <see cref="Subscription.LastOffered"/>. Ingest writes the cache before the router
/// offers an update, so every update offered before the build began is in the snapshot; an offer newer than the
/// snapshot's <c>seq</c> means one arrived during the build and was skipped, and the snapshot is rebuilt. A snapshot
/// that keeps going stale (a symbol ticking faster than a snapshot builds) stops retrying after
/// <see cref="MaxSnapshotAttempts"/> and moves to the timer wheel, which tries again one tick later, so neither the
/// send loop nor a receive loop spins.
/// </remarks>
public sealed partial class ConflatingDelivery
{
    /// <summary>Builds of one snapshot in a row that may go stale before the retry moves to the timer wheel.</summary>
    internal const int MaxSnapshotAttempts = 4;

    private enum SnapshotCommit
    {
        /// <summary>Queued (or there was nothing to send): the subscription takes updates after its seq.</summary>
        Queued,

        /// <summary>The queue refused it: it waits for space and is built again then.</summary>
        QueueFull,

        /// <summary>An update newer than the snapshot arrived while it was built: build again.</summary>
        Stale,
    }

    /// <summary>
    /// Makes a new subscription live: records the <c>seq</c> it starts after and, when asked, queues the snapshot of
    /// the channel's last value (deferred to the recovery path if the queue is full). An update the router delivers
    /// concurrently is either in the snapshot or delivered after it, never both and never lost (see the remarks).
    /// </summary>
    public void Activate(Subscription subscription, bool sendSnapshot)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        long now = _time.GetTimestamp();
        if (!sendSnapshot)
        {
            AssertUnlocked();
            long last = _snapshots.GetLastSequence(subscription.Instrument, subscription.Channel);
            lock (_gate)
            {
                AssertInvariants();
                if (!subscription.Removed && !_completed)
                {
                    // An update offered since the read is newer than it and was refused (inactive): start after it.
                    subscription.MinSequence = Math.Max(last, subscription.LastOffered);
                }
            }

            return;
        }

        for (int attempt = 1; ; attempt++)
        {
            OutboundMessage? snapshot = BuildSnapshot(subscription, out long sequence);
            bool retry = false;
            lock (_gate)
            {
                AssertInvariants();
                if (subscription.Removed || _completed)
                {
                    // Ended while the snapshot was built: nothing to do.
                }
                else if (subscription.LastOffered > sequence)
                {
                    retry = attempt < MaxSnapshotAttempts;
                    if (!retry)
                    {
                        subscription.MinSequence = 0;
                        subscription.NeedsSnapshot = true;
                        RetrySnapshotLaterLocked(subscription, now);
                    }
                }
                else if (snapshot is null)
                {
                    subscription.MinSequence = 0;
                }
                else
                {
                    subscription.MinSequence = sequence;
                    EnqueueResult result = _queueWait.Count > 0 ? EnqueueResult.Overflow : _queue.TryEnqueue(snapshot.GetFrame(Variant.Deflate));
                    if (result == EnqueueResult.Enqueued)
                    {
                        // The snapshot is a message of this subscription: maxRate spaces the first update after it too.
                        _counters.CountEnqueued();
                        subscription.NextAllowed = now + subscription.IntervalTicks;
                    }
                    else if (result == EnqueueResult.Overflow)
                    {
                        _deadline.Start(now);
                        subscription.NeedsSnapshot = true;
                        AddToQueueWait(subscription);
                    }
                }
            }

            snapshot?.Dispose();
            if (!retry)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Send loop: the head of the queue-wait line is due a snapshot. Builds it unlocked and commits it if the head is
    /// still the same and nothing newer arrived. Returns true when the drain should look at the line again.
    /// </summary>
    private bool FlushSnapshotFromQueueWait(Subscription subscription, long now, ref int staleSnapshots)
    {
        OutboundMessage? snapshot = BuildSnapshot(subscription, out long sequence);
        bool more;
        lock (_gate)
        {
            AssertInvariants();
            if (_completed)
            {
                more = false;
            }
            else if (_queueWait.Head != subscription || !subscription.NeedsSnapshot)
            {
                // Removed (or the session moved on) while the snapshot was built: look at the line again.
                more = true;
            }
            else
            {
                switch (CommitSnapshotLocked(subscription, snapshot, sequence))
                {
                    case SnapshotCommit.Queued:
                        LeaveQueueWait(subscription, now);
                        more = _queueWait.Count > 0;
                        break;
                    case SnapshotCommit.QueueFull:
                        more = false;
                        break;
                    default:
                        more = true;
                        if (++staleSnapshots >= MaxSnapshotAttempts)
                        {
                            _queueWait.Remove(subscription);
                            if (_queueWait.Count == 0)
                            {
                                _deadline.Stop();
                            }

                            RetrySnapshotLaterLocked(subscription, now);
                            more = _queueWait.Count > 0;
                        }

                        break;
                }
            }
        }

        snapshot?.Dispose();
        return more;
    }

    /// <summary>Timer wheel: a rate-waiting subscription whose interval is over is due a snapshot and nobody waits for space.</summary>
    private void FlushSnapshotFromRateWait(Subscription subscription, long now)
    {
        for (int attempt = 1; ; attempt++)
        {
            OutboundMessage? snapshot = BuildSnapshot(subscription, out long sequence);
            bool retry = false;
            bool closeSlow = false;
            lock (_gate)
            {
                AssertInvariants();
                if (!_completed && !subscription.Removed && subscription.State == Subscription.SlotState.RateWait && subscription.NeedsSnapshot)
                {
                    if (_queueWait.Count > 0)
                    {
                        // The queue filled while the snapshot was built: wait in line, it is built again then.
                        _rateWait.Remove(subscription);
                        AddToQueueWait(subscription);
                    }
                    else
                    {
                        switch (CommitSnapshotLocked(subscription, snapshot, sequence))
                        {
                            case SnapshotCommit.Queued:
                                _rateWait.Remove(subscription);
                                subscription.State = Subscription.SlotState.Idle;
                                subscription.NextAllowed = now + subscription.IntervalTicks;
                                break;
                            case SnapshotCommit.QueueFull:
                                _rateWait.Remove(subscription);
                                _deadline.Start(now);
                                AddToQueueWait(subscription);
                                break;
                            default:
                                retry = attempt < MaxSnapshotAttempts;
                                if (!retry)
                                {
                                    // Still in rate wait: the wheel calls OnRateDue again one tick later.
                                    _scheduler.Schedule(subscription, now + 1);
                                }

                                break;
                        }
                    }

                    closeSlow = IsSlowConsumerLocked(now);
                }
            }

            snapshot?.Dispose();
            if (closeSlow)
            {
                CloseSlowConsumer();
                return;
            }

            if (!retry)
            {
                return;
            }
        }
    }

    /// <summary>Under the lock: queues a snapshot built outside it, unless an update newer than it was skipped meanwhile.</summary>
    private SnapshotCommit CommitSnapshotLocked(Subscription subscription, OutboundMessage? snapshot, long sequence)
    {
        Debug.Assert(subscription.NeedsSnapshot && subscription.PendingFrame is null, "a slot due a snapshot holds no frame");
        if (subscription.LastOffered > sequence)
        {
            return SnapshotCommit.Stale;
        }

        if (snapshot is null)
        {
            // The channel has no value yet: the next update is the first the client gets.
            subscription.NeedsSnapshot = false;
            return SnapshotCommit.Queued;
        }

        EnqueueResult result = _queue.TryEnqueue(snapshot.GetFrame(Variant.Deflate));
        if (result == EnqueueResult.Overflow)
        {
            return SnapshotCommit.QueueFull;
        }

        subscription.NeedsSnapshot = false;
        subscription.MinSequence = Math.Max(subscription.MinSequence, sequence);
        if (result == EnqueueResult.Enqueued)
        {
            _counters.CountEnqueued();
        }

        return SnapshotCommit.Queued;
    }

    /// <summary>Under the lock: parks a subscription whose snapshot kept going stale in rate wait, due one wheel tick from now.</summary>
    private void RetrySnapshotLaterLocked(Subscription subscription, long now)
    {
        subscription.State = Subscription.SlotState.RateWait;
        subscription.NextAllowed = now;
        _rateWait.Append(subscription);
        _scheduler.Schedule(subscription, now + 1);
    }

    /// <summary>Outside the lock: the subscription's snapshot from the seam, in its wire variant.</summary>
    private OutboundMessage? BuildSnapshot(Subscription subscription, out long sequence)
    {
        AssertUnlocked();
        return _snapshots.CreateSnapshot(subscription.Instrument, subscription.Channel, subscription.Variant, out sequence);
    }
}
