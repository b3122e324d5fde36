using System.Diagnostics;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// A session's market-data delivery, between the router and the session's <see cref="OutboundQueue"/>: every market
/// update for the session passes through here. It conflates, keeping per subscription (symbol, channel) at most one
/// pending newest value that a new update replaces instead of queuing more (PROTOCOL.md: "the newest update for a
/// symbol is always the one kept"), and it paces each subscription to its maxRate. So a slow session costs a bounded
/// amount of memory and the router never waits.
/// </summary>
/// <remarks>
/// <para>
/// An update goes straight into the queue when the subscription's maxRate allows it and nothing of this session is
/// waiting for queue space. Otherwise it is held in its subscription's slot: <b>rate wait</b> until 1/maxRate after the
/// previous send (the shared <see cref="TimerWheel"/> calls back), or <b>queue wait</b> when the queue refused it
/// (<see cref="EnqueueResult.Overflow"/>). The two lines are <see cref="SubscriptionWaitList"/>s; queue-waiting
/// subscriptions are flushed in arrival order by <see cref="OnDrained"/>, which the send loop calls after each write.
/// A book delta that would replace another pending delta breaks the client's chain of deltas, so the slot switches to
/// "needs snapshot" and the next book message for that symbol is a snapshot from the <see cref="ISnapshotSource"/>
/// (per session, on this recovery path only; <c>ConflatingDelivery.Snapshots.cs</c>). A queue that stays full for
/// <see cref="SessionLimits.SlowConsumerMs"/> closes the session with 4001 (<see cref="SlowConsumerDeadline"/>).
/// Outcomes are counted per session and handed to the server totals in batches (<see cref="DeliveryCounters"/>).
/// </para>
/// <para>
/// Threads: the router's ingest thread (<see cref="Deliver"/>), the session's receive loop (activation, rate changes,
/// unsubscribe), its send loop (<see cref="OnDrained"/>, through the queue's drain callback) and the timer wheel
/// (<see cref="OnRateDue"/> and the slow-consumer deadline). One lock guards the slots, both wait lines, the deadline
/// and the counters. It is held for a few field updates and at most one enqueue; nothing is called out under it:
/// snapshots are built before it is taken (and checked under it, <c>Snapshots.cs</c>), counts are reported and the
/// 4001 close runs after it is released. Lock order: this lock, then the queue's or the wheel's. Allocates nothing
/// per update.
/// </para>
/// <para>
/// Cost per delivery (goal G1: 1,000 sessions of one symbol offered 4M updates/s, most of them conflated once the
/// clients fall behind, on one core): the router reads the clock once per update and passes it in (a clock read per
/// delivery was 13% of the server's CPU, about 30 ns each on the KVM machines), and the conflation path touches only
/// this object, the subscription and the two frames' reference counts.
/// </para>
/// </remarks>
public sealed partial class ConflatingDelivery : ISlowConsumerDeadlineHandler
{
    private readonly Lock _gate = new();
    private readonly OutboundQueue _queue;
    private readonly ISnapshotSource _snapshots;
    private readonly TimerWheel _scheduler;
    private readonly TimeProvider _time;
    private readonly DeliveryCounters _counters;
    private readonly SlowConsumerDeadline _deadline;
    private readonly MarketPushMetrics? _metrics;
    private readonly DeliveryTotals? _totals;
    private readonly Action<DisconnectReason>? _close;
    // Mutable structs: never readonly, never copied (a copy would drop the links it changes).
    private SubscriptionWaitList _rateWait;
    private SubscriptionWaitList _queueWait;
    private bool _completed;
    private long _lastStatusStamp;

    /// <param name="queue">The session's queue; market updates are bounded by its frame and byte limits.</param>
    /// <param name="variant">The session's encoding and compression (its book depth is per subscription, so 0 here).</param>
    /// <param name="close">How to close the session (4001); called outside this object's lock.</param>
    public ConflatingDelivery(
        OutboundQueue queue,
        WireVariant variant,
        ISnapshotSource snapshots,
        TimerWheel scheduler,
        SessionLimits? limits = null,
        MarketPushMetrics? metrics = null,
        DeliveryTotals? totals = null,
        Action<DisconnectReason>? close = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(scheduler);
        _queue = queue;
        Variant = variant.WithBookDepth(0);
        _snapshots = snapshots;
        _scheduler = scheduler;
        _time = scheduler.Time;
        _metrics = metrics;
        _totals = totals;
        _close = close;
        _counters = new DeliveryCounters(_time, totals, metrics);
        long slowConsumerTicks = Math.Max(1, (limits ?? SessionLimits.Default).SlowConsumerMs * _time.TimestampFrequency / 1000);
        _deadline = new SlowConsumerDeadline(scheduler, slowConsumerTicks, this);
        queue.SetDrainedCallback(OnDrained);
    }

    public OutboundQueue Queue => _queue;

    /// <summary>The session's encoding and compression; a subscription's variant adds its book depth.</summary>
    public WireVariant Variant { get; }

    public TimeProvider Time => _time;

    /// <summary>This session's delivery outcomes (enqueued, conflated, dropped).</summary>
    public DeliveryCounters Counters => _counters;

    /// <summary>Market messages (updates and snapshots) that went into the queue.</summary>
    public long Enqueued => _counters.Enqueued;

    /// <summary>Pending updates replaced by a newer one for the same symbol and channel before being sent.</summary>
    public long Conflated => _counters.Conflated;

    /// <summary>Updates not sent at all: book deltas skipped during a resync, updates for a closing session.</summary>
    public long Dropped => _counters.Dropped;

    /// <summary>True once this session was found to be a slow consumer and closed with 4001.</summary>
    public bool ClosedAsSlowConsumer
    {
        get
        {
            lock (_gate)
            {
                return _deadline.Expired;
            }
        }
    }

    /// <summary>Subscriptions waiting for queue space.</summary>
    public int QueueWaitCount => _queueWait.CountHint;

    /// <summary>Subscriptions holding a value until their maxRate allows the next send.</summary>
    public int RateWaitCount => _rateWait.CountHint;

    /// <summary>For tests and DEBUG checks: whether the calling thread holds this session's delivery lock.</summary>
    internal bool IsLockHeldByCurrentThread => _gate.IsHeldByCurrentThread;

    /// <summary>Converts maxRate (updates per second, 0 = unlimited) to the minimum spacing of sends in clock ticks.</summary>
    public static long ToIntervalTicks(double maxRate, long timestampFrequency)
    {
        if (!double.IsFinite(maxRate) || maxRate <= 0)
        {
            return 0;
        }

        // Ceiling, so that n sends spaced by the interval never fit n + 1 into one second.
        return Math.Max(1, (long)Math.Ceiling(timestampFrequency / maxRate));
    }

    // ---- Router (ingest thread) -----------------------------------------------------------------------------

    /// <param name="now">The router's clock reading for this update (same <see cref="TimeProvider"/> as the scheduler's).</param>
    internal EnqueueResult Deliver(Subscription subscription, OutboundMessage message, long sequence, long now)
    {
        // Picking (and for the first deflate session, building) the frame happens outside the lock.
        SharedFrame frame = message.GetFrame(Variant.Deflate);
        EnqueueResult result;
        bool closeSlow;
        DeliveryCountBatch report;
        lock (_gate)
        {
            AssertInvariants();
            // A snapshot being built outside the lock checks this afterwards: an update newer than it was skipped.
            if (sequence > subscription.LastOffered)
            {
                subscription.LastOffered = sequence;
            }

            if (subscription.Removed || sequence <= subscription.MinSequence)
            {
                return EnqueueResult.Dropped;
            }

            if (_completed)
            {
                _counters.CountDropped(DropReason.SessionClosing);
                result = EnqueueResult.Closed;
            }
            else if (subscription.State != Subscription.SlotState.Idle)
            {
                result = ReplacePending(subscription, frame, sequence);
            }
            else if (subscription.IntervalTicks > 0 && now < subscription.NextAllowed)
            {
                Hold(subscription, frame, sequence);
                subscription.State = Subscription.SlotState.RateWait;
                _rateWait.Append(subscription);
                _scheduler.Schedule(subscription, subscription.NextAllowed);
                result = EnqueueResult.Conflated;
            }
            else if (_queueWait.Count > 0)
            {
                // Others are waiting for space: join the line rather than overtake it.
                Hold(subscription, frame, sequence);
                AddToQueueWait(subscription);
                result = EnqueueResult.Overflow;
            }
            else
            {
                result = _queue.TryEnqueue(frame);
                switch (result)
                {
                    case EnqueueResult.Enqueued:
                        _counters.CountEnqueued();
                        subscription.NextAllowed = now + subscription.IntervalTicks;
                        break;
                    case EnqueueResult.Overflow:
                        _deadline.Start(now);
                        Hold(subscription, frame, sequence);
                        AddToQueueWait(subscription);
                        break;
                    default:
                        _counters.CountDropped(DropReason.SessionClosing);
                        break;
                }
            }

            closeSlow = IsSlowConsumerLocked(now);
            report = _counters.TakeIfDue(now, force: closeSlow);
        }

        if (report.Total != 0)
        {
            _counters.Report(report);
        }

        if (closeSlow)
        {
            CloseSlowConsumer();
        }

        return result;
    }

    internal EnqueueResult DeliverStatus(Subscription subscription, OutboundMessage message, long eventStamp)
    {
        // A session subscribed to quote, trade and book of the symbol is offered the event three times.
        if (Interlocked.Exchange(ref _lastStatusStamp, eventStamp) == eventStamp)
        {
            return EnqueueResult.Dropped;
        }

        SharedFrame frame = message.GetFrame(Variant.Deflate);
        EnqueueResult result;
        DeliveryCountBatch report;
        lock (_gate)
        {
            if (subscription.Removed || subscription.MinSequence == long.MaxValue)
            {
                return EnqueueResult.Dropped;
            }

            if (_completed)
            {
                _counters.CountDropped(DropReason.SessionClosing);
                result = EnqueueResult.Closed;
            }
            else
            {
                result = _queue.TryEnqueue(frame);
                if (result == EnqueueResult.Enqueued)
                {
                    _counters.CountEnqueued();
                }
                else
                {
                    _counters.CountDropped(result == EnqueueResult.Overflow ? DropReason.QueueFull : DropReason.SessionClosing);
                }
            }

            report = _counters.TakeIfDue(_time.GetTimestamp());
        }

        _counters.Report(report);
        return result;
    }

    // ---- Under the lock -------------------------------------------------------------------------------------

    /// <summary>A newer update for a subscription that already holds one: the newest wins; for books, a resync.</summary>
    private EnqueueResult ReplacePending(Subscription subscription, SharedFrame frame, long sequence)
    {
        ConflationReason reason = subscription.State == Subscription.SlotState.RateWait ? ConflationReason.MaxRate : ConflationReason.QueueFull;
        if (subscription.Channel == MarketChannel.Book)
        {
            if (!subscription.NeedsSnapshot)
            {
                // Two deltas cannot be merged into one, and skipping one would corrupt the client's book: from
                // here on the slot holds "send a snapshot", and the deltas until then are not needed.
                ReleasePending(subscription);
                subscription.NeedsSnapshot = true;
                _counters.CountConflated(reason);
            }

            _counters.CountResyncDrop();
            return EnqueueResult.Dropped;
        }

        if (subscription.NeedsSnapshot)
        {
            // A snapshot is still due; it will carry this value (it is built when sent, and rebuilt if built before).
            _counters.CountConflated(reason);
            return EnqueueResult.Conflated;
        }

        // The common case of a saturated fan-out: swap the held reference for the new one.
        frame.AddRef();
        SharedFrame? replaced = subscription.PendingFrame;
        Volatile.Write(ref subscription.PendingFrame, frame);
        subscription.PendingSequence = sequence;
        replaced?.Release();
        _counters.CountConflated(reason);
        return EnqueueResult.Conflated;
    }

    private static void Hold(Subscription subscription, SharedFrame frame, long sequence)
    {
        frame.AddRef();
        Volatile.Write(ref subscription.PendingFrame, frame);
        subscription.PendingSequence = sequence;
    }

    private static void ReleasePending(Subscription subscription)
    {
        SharedFrame? frame = subscription.PendingFrame;
        if (frame is not null)
        {
            Volatile.Write(ref subscription.PendingFrame, null);
            frame.Release();
        }
    }

    /// <summary>Drops whatever the subscription holds and takes it out of its wait line.</summary>
    private void Unpark(Subscription subscription)
    {
        ReleasePending(subscription);
        subscription.NeedsSnapshot = false;
        switch (subscription.State)
        {
            case Subscription.SlotState.RateWait:
                _rateWait.Remove(subscription);
                _scheduler.Cancel(subscription);
                break;
            case Subscription.SlotState.QueueWait:
                _queueWait.Remove(subscription);
                break;
        }

        subscription.State = Subscription.SlotState.Idle;
    }

    private void ReleaseAllHeld()
    {
        while (_rateWait.Head is { } waiting)
        {
            Unpark(waiting);
        }

        while (_queueWait.Head is { } queued)
        {
            Unpark(queued);
        }

        _deadline.Stop();
    }

    private void AddToQueueWait(Subscription subscription)
    {
        subscription.State = Subscription.SlotState.QueueWait;
        _queueWait.Append(subscription);
    }

    /// <summary>Takes a flushed subscription out of the queue-wait line; stops the deadline when the line is empty.</summary>
    private void LeaveQueueWait(Subscription subscription, long now)
    {
        _queueWait.Remove(subscription);
        subscription.State = Subscription.SlotState.Idle;
        subscription.NextAllowed = now + subscription.IntervalTicks;
        if (_queueWait.Count == 0)
        {
            _deadline.Stop();
        }
    }

    private bool IsSlowConsumerLocked(long now)
    {
        if (!_deadline.CheckExpired(now, rearm: false))
        {
            return false;
        }

        _completed = true;
        ReleaseAllHeld();
        return true;
    }

    /// <summary>Outside the lock: counts the 4001 close and asks the session to close.</summary>
    private void CloseSlowConsumer()
    {
        _totals?.AddSlowConsumerClose();
        _metrics?.SlowConsumerClosed(SlowConsumerReason.QueueFull);
        _close?.Invoke(DisconnectReasons.SlowConsumer);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        _queueWait.AssertConsistent();
        _rateWait.AssertConsistent();
        Debug.Assert(!_completed || (_rateWait.Count == 0 && _queueWait.Count == 0), "a completed session holds nothing");
        Debug.Assert(_queueWait.Count == 0 || _deadline.IsRunning, "waiting for space means the slow-consumer clock runs");
    }

    /// <summary>DEBUG check at every call into the snapshot seam: no session lock is held while a snapshot is built.</summary>
    [Conditional("DEBUG")]
    private void AssertUnlocked() => Debug.Assert(!_gate.IsHeldByCurrentThread, "snapshots are built with no session lock held");
}
