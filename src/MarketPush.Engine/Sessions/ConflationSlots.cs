using System.Diagnostics;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// A session's backpressure and rate policy, between the router and the session's <see cref="OutboundQueue"/>: every
/// market update for the session passes through here. It keeps, per subscription (symbol, channel), at most one
/// pending newest value; a new update replaces it instead of queuing more (PROTOCOL.md: "the newest update for a
/// symbol is always the one kept"), so a slow session costs a bounded amount of memory and the router never waits.
/// </summary>
/// <remarks>
/// <para>
/// An update goes straight into the queue when the subscription's maxRate allows it and nothing of this session is
/// waiting for queue space. Otherwise it is held in its subscription's slot:
/// <b>rate wait</b> until 1/maxRate after the previous send (the shared <see cref="TimerWheel"/> calls back), or
/// <b>queue wait</b> when the queue refused it (<see cref="EnqueueResult.Overflow"/>); queue-waiting subscriptions are
/// flushed in arrival order by <see cref="OnDrained"/>, which the send loop calls after each write. A book delta that
/// would replace another pending delta breaks the client's chain of deltas, so the slot switches to "needs snapshot"
/// and the next book message for that symbol is a snapshot built from the last-value cache (per session, on this
/// recovery path only). A queue that stays full (no write completes) for <see cref="SessionLimits.SlowConsumerMs"/>
/// closes the session with 4001.
/// </para>
/// <para>
/// Threads: the router's ingest thread (<see cref="Deliver"/>), the session's receive loop (activation, rate changes,
/// unsubscribe), its send loop (<see cref="OnDrained"/>, through the queue's drain callback) and the timer wheel
/// (<see cref="OnRateDue"/>, and this object's own entry: a check at the slow-consumer deadline, so a stuck session is
/// closed even when no update arrives to notice it). One lock guards the slots and wait lists; it is held only for a few field
/// updates and one enqueue, or one snapshot encode on the recovery path, and never while calling out to the session
/// (the 4001 close runs after it is released). Lock order: this lock, then the queue's, the wheel's or the
/// last-value cache's. Counts every outcome: enqueued, conflated (replaced by a newer value), dropped (book deltas
/// skipped for a resync, updates for a closing session) and the 4001 close, per session, in
/// <see cref="DeliveryTotals"/> and in <see cref="MarketPushMetrics"/>. Allocates nothing per update.
/// </para>
/// <para>
/// Cost per delivery (goal G1: 1,000 sessions of one symbol offered 4M updates/s, most of them conflated once the
/// clients fall behind, on one core): the router reads the clock once per update and passes it in (a clock read per
/// delivery was 13% of the server's CPU, about 30 ns each on the KVM machines), and the conflation path touches
/// only this object, the subscription and the two frames' reference counts. Conflations and book-resync drops, the
/// outcomes a saturated fan-out produces millions of, are counted per session under the lock and handed to the shared
/// totals and metrics in batches (<see cref="Backlog"/>): the first one after a quiet spell at once, then at most
/// every <see cref="ReportIntervalMs"/> ms or <see cref="ReportBatch"/> events, and whatever is left when the send loop
/// comes back, a timer fires or the session ends. <c>RouterFanOutBenchmarks.FanOutQuoteToFullQueues</c> measures it.
/// </para>
/// </remarks>
public sealed class ConflationSlots : TimerWheelEntry
{
    /// <summary>Longest a busy session keeps conflation and resync-drop counts before handing them to totals and metrics.</summary>
    public const int ReportIntervalMs = 100;

    /// <summary>Counts a session hands over at once at most (sooner than <see cref="ReportIntervalMs"/> when busier).</summary>
    public const int ReportBatch = 1024;

    private readonly Lock _gate = new();
    private readonly OutboundQueue _queue;
    private readonly ISnapshotSource _snapshots;
    private readonly TimerWheel _scheduler;
    private readonly TimeProvider _time;
    private readonly MarketPushMetrics? _metrics;
    private readonly DeliveryTotals? _totals;
    private readonly Action<DisconnectReason>? _close;
    private readonly long _slowConsumerTicks;
    private readonly long _reportTicks;
    private SlotList _rateWait;
    private SlotList _queueWait;
    // Mirror of _queueWait.Count written under the lock, so the send loop's call after every write can skip the lock.
    private int _queueWaitCount;
    private bool _overflowing;
    private long _overflowSince;
    private bool _completed;
    private bool _slowConsumer;
    private long _enqueued;
    private long _conflated;
    private long _dropped;
    private long _lastStatusStamp;
    private Backlog _backlog;
    private long _lastReport;

    /// <param name="queue">The session's queue; market updates are bounded by its frame and byte limits.</param>
    /// <param name="close">How to close the session (4001); called outside this object's lock.</param>
    public ConflationSlots(
        OutboundQueue queue,
        WireEncoding encoding,
        bool compression,
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
        Encoding = encoding;
        Compression = compression;
        _snapshots = snapshots;
        _scheduler = scheduler;
        _time = scheduler.Time;
        _metrics = metrics;
        _totals = totals;
        _close = close;
        _slowConsumerTicks = Math.Max(1, (limits ?? SessionLimits.Default).SlowConsumerMs * _time.TimestampFrequency / 1000);
        _reportTicks = Math.Max(1, ReportIntervalMs * _time.TimestampFrequency / 1000);
        // So that the first conflation of the session is reported at once.
        _lastReport = _time.GetTimestamp() - _reportTicks;
        queue.SetDrainedCallback(OnDrained);
    }

    public OutboundQueue Queue => _queue;

    public WireEncoding Encoding { get; }

    public bool Compression { get; }

    public TimeProvider Time => _time;

    /// <summary>Market messages (updates and snapshots) that went into the queue.</summary>
    public long Enqueued => Volatile.Read(ref _enqueued);

    /// <summary>Pending updates replaced by a newer one for the same symbol and channel before being sent.</summary>
    public long Conflated => Volatile.Read(ref _conflated);

    /// <summary>Updates not sent at all: book deltas skipped during a resync, updates for a closing session.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>True once this session was found to be a slow consumer and closed with 4001.</summary>
    public bool ClosedAsSlowConsumer => Volatile.Read(ref _slowConsumer);

    /// <summary>Subscriptions waiting for queue space.</summary>
    public int QueueWaitCount => Volatile.Read(ref _queueWaitCount);

    /// <summary>Subscriptions holding a value until their maxRate allows the next send.</summary>
    public int RateWaitCount
    {
        get
        {
            lock (_gate)
            {
                return _rateWait.Count;
            }
        }
    }

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

    /// <summary>
    /// Makes a new subscription live: records the <c>seq</c> it starts after and, when asked, queues the snapshot of
    /// the channel's last value (deferred to the recovery path if the queue is full). Runs under the lock, so an update
    /// the router delivers concurrently is either in the snapshot or delivered after it, never both and never lost.
    /// </summary>
    public void Activate(Subscription subscription, bool sendSnapshot)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            AssertInvariants();
            if (subscription.Removed || _completed)
            {
                return;
            }

            if (!sendSnapshot)
            {
                subscription.MinSequence = _snapshots.GetLastSequence(subscription.Instrument, subscription.Channel);
                return;
            }

            OutboundMessage? snapshot = _snapshots.CreateSnapshot(subscription.Instrument, subscription.Channel, Encoding, subscription.Depth, out long sequence);
            if (snapshot is null)
            {
                subscription.MinSequence = 0;
                return;
            }

            subscription.MinSequence = sequence;
            EnqueueResult result;
            using (snapshot)
            {
                result = _queueWait.Count > 0 ? EnqueueResult.Overflow : _queue.TryEnqueue(snapshot.GetFrame(Compression));
            }

            if (result == EnqueueResult.Enqueued)
            {
                // The snapshot is a message of this subscription: maxRate spaces the first update after it too.
                _enqueued++;
                subscription.NextAllowed = now + subscription.IntervalTicks;
            }
            else if (result == EnqueueResult.Overflow)
            {
                EnterOverflow(now);
                subscription.NeedsSnapshot = true;
                AddToQueueWait(subscription);
            }
        }
    }

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
                _overflowing = false;
            }
        }
    }

    /// <summary>
    /// The session ended or is closing for good: refuse further updates and release every held frame. Idempotent.
    /// Call after the subscriptions were taken out of the router (they are <see cref="Remove"/>d or simply dropped).
    /// </summary>
    public void Complete()
    {
        Backlog report;
        lock (_gate)
        {
            _completed = true;
            ReleaseAllHeld();
            _scheduler.Cancel(this);
            report = TakeBacklogLocked(_lastReport);
        }

        Report(report);
    }

    /// <summary>
    /// Send loop (the queue's drain callback, run before it waits again), so after each completed write: the consumer
    /// made progress, so the slow-consumer clock restarts, and
    /// queue-waiting subscriptions are flushed, oldest first, while the queue takes them. Takes the lock once per
    /// subscription, so the router waits at most one enqueue (or one snapshot encode) behind it.
    /// </summary>
    public void OnDrained()
    {
        // Both reads are hints (written under the lock): the send loop calls this after every write.
        if (Volatile.Read(ref _backlog.Total) != 0)
        {
            ReportBacklog();
        }

        if (Volatile.Read(ref _queueWaitCount) == 0)
        {
            return;
        }

        long now = _time.GetTimestamp();
        bool first = true;
        while (true)
        {
            lock (_gate)
            {
                AssertInvariants();
                if (_completed || _queueWait.Head is null)
                {
                    return;
                }

                if (first)
                {
                    _overflowSince = now;
                    first = false;
                }

                Subscription subscription = _queueWait.Head;
                if (!FlushLocked(subscription))
                {
                    return;
                }

                RemoveFromQueueWait(subscription);
                subscription.State = Subscription.SlotState.Idle;
                subscription.NextAllowed = now + subscription.IntervalTicks;
                if (_queueWait.Count == 0)
                {
                    _overflowing = false;
                    return;
                }
            }
        }
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

    // ---- Router (ingest thread) -----------------------------------------------------------------------------

    /// <param name="now">The router's clock reading for this update (same <see cref="TimeProvider"/> as the scheduler's).</param>
    internal EnqueueResult Deliver(Subscription subscription, OutboundMessage message, long sequence, long now)
    {
        // Picking (and for the first deflate session, building) the variant happens outside the lock.
        SharedFrame frame = message.GetFrame(Compression);
        EnqueueResult result;
        bool closeSlow;
        Backlog report = default;
        lock (_gate)
        {
            AssertInvariants();
            if (subscription.Removed || sequence <= subscription.MinSequence)
            {
                return EnqueueResult.Dropped;
            }

            if (_completed)
            {
                CountDropped(DropReason.SessionClosing);
                return EnqueueResult.Closed;
            }

            if (subscription.State != Subscription.SlotState.Idle)
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
                        _enqueued++;
                        subscription.NextAllowed = now + subscription.IntervalTicks;
                        break;
                    case EnqueueResult.Overflow:
                        EnterOverflow(now);
                        Hold(subscription, frame, sequence);
                        AddToQueueWait(subscription);
                        break;
                    default:
                        CountDropped(DropReason.SessionClosing);
                        break;
                }
            }

            closeSlow = IsSlowConsumerLocked(now);
            if (_backlog.Total != 0 && (closeSlow || _backlog.Total >= ReportBatch || now - _lastReport >= _reportTicks))
            {
                report = TakeBacklogLocked(now);
            }
        }

        if (report.Total != 0)
        {
            Report(report);
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

        SharedFrame frame = message.GetFrame(Compression);
        lock (_gate)
        {
            if (subscription.Removed || subscription.MinSequence == long.MaxValue)
            {
                return EnqueueResult.Dropped;
            }

            if (_completed)
            {
                CountDropped(DropReason.SessionClosing);
                return EnqueueResult.Closed;
            }

            EnqueueResult result = _queue.TryEnqueue(frame);
            if (result == EnqueueResult.Enqueued)
            {
                _enqueued++;
            }
            else
            {
                CountDropped(result == EnqueueResult.Overflow ? DropReason.QueueFull : DropReason.SessionClosing);
            }

            return result;
        }
    }

    // ---- Timer wheel ----------------------------------------------------------------------------------------

    internal void OnRateDue(Subscription subscription, long now)
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

            _rateWait.Remove(subscription);
            subscription.State = Subscription.SlotState.Idle;
            if (_queueWait.Count > 0)
            {
                AddToQueueWait(subscription);
            }
            else if (FlushLocked(subscription))
            {
                subscription.NextAllowed = now + subscription.IntervalTicks;
            }
            else
            {
                EnterOverflow(now);
                AddToQueueWait(subscription);
            }

            closeSlow = IsSlowConsumerLocked(now);
        }

        if (closeSlow)
        {
            CloseSlowConsumer();
        }
    }

    /// <summary>The slow-consumer deadline: close if the queue is still stuck, else wait for the deadline of the newest stretch.</summary>
    protected internal override void OnTimer(long timestamp)
    {
        if (Volatile.Read(ref _backlog.Total) != 0)
        {
            ReportBacklog();
        }

        bool close;
        lock (_gate)
        {
            if (!_overflowing || _completed)
            {
                return;
            }

            close = IsSlowConsumerLocked(timestamp);
            if (!close)
            {
                // A write completed since the deadline was set: the clock restarted then.
                _scheduler.Schedule(this, _overflowSince + _slowConsumerTicks);
            }
        }

        if (close)
        {
            CloseSlowConsumer();
        }
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
                CountConflated(reason);
            }

            _dropped++;
            _backlog.ResyncDrops++;
            _backlog.Total++;
            return EnqueueResult.Dropped;
        }

        if (subscription.NeedsSnapshot)
        {
            // A deferred subscribe snapshot is still due; it will carry this value (it is built when sent).
            CountConflated(reason);
            return EnqueueResult.Conflated;
        }

        // The common case of a saturated fan-out: swap the held reference for the new one.
        frame.AddRef();
        SharedFrame? replaced = subscription.PendingFrame;
        Volatile.Write(ref subscription.PendingFrame, frame);
        subscription.PendingSequence = sequence;
        replaced?.Release();
        CountConflated(reason);
        return EnqueueResult.Conflated;
    }

    /// <summary>Queues the subscription's held value (or its snapshot); false when the queue is full.</summary>
    private bool FlushLocked(Subscription subscription)
    {
        if (subscription.NeedsSnapshot)
        {
            OutboundMessage? snapshot = _snapshots.CreateSnapshot(subscription.Instrument, subscription.Channel, Encoding, subscription.Depth, out long sequence);
            if (snapshot is null)
            {
                subscription.NeedsSnapshot = false;
                return true;
            }

            EnqueueResult result;
            using (snapshot)
            {
                result = _queue.TryEnqueue(snapshot.GetFrame(Compression));
            }

            if (result == EnqueueResult.Overflow)
            {
                return false;
            }

            subscription.NeedsSnapshot = false;
            subscription.MinSequence = Math.Max(subscription.MinSequence, sequence);
            if (result == EnqueueResult.Enqueued)
            {
                _enqueued++;
            }

            return true;
        }

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
            _enqueued++;
        }
        else
        {
            CountDropped(DropReason.SessionClosing);
        }

        ReleasePending(subscription);
        return true;
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

    /// <summary>Drops whatever the subscription holds and takes it out of its wait list.</summary>
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
                RemoveFromQueueWait(subscription);
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

        _overflowing = false;
    }

    private void AddToQueueWait(Subscription subscription)
    {
        subscription.State = Subscription.SlotState.QueueWait;
        _queueWait.Append(subscription);
        Volatile.Write(ref _queueWaitCount, _queueWait.Count);
    }

    private void RemoveFromQueueWait(Subscription subscription)
    {
        _queueWait.Remove(subscription);
        Volatile.Write(ref _queueWaitCount, _queueWait.Count);
    }

    private void EnterOverflow(long now)
    {
        if (!_overflowing)
        {
            _overflowing = true;
            _overflowSince = now;
            _scheduler.Schedule(this, now + _slowConsumerTicks);
        }
    }

    private bool IsSlowConsumerLocked(long now)
    {
        if (!_overflowing || _slowConsumer || now - _overflowSince < _slowConsumerTicks)
        {
            return false;
        }

        _slowConsumer = true;
        _completed = true;
        ReleaseAllHeld();
        return true;
    }

    private void CloseSlowConsumer()
    {
        _totals?.AddSlowConsumerClose();
        _metrics?.SlowConsumerClosed(SlowConsumerReason.QueueFull);
        _close?.Invoke(DisconnectReasons.SlowConsumer);
    }

    private void CountConflated(ConflationReason reason)
    {
        _conflated++;
        _backlog.Total++;
        if (reason == ConflationReason.MaxRate)
        {
            _backlog.RateConflations++;
        }
        else
        {
            _backlog.QueueConflations++;
        }
    }

    /// <summary>The rarer drops (session closing, status for a full queue) are reported at once.</summary>
    private void CountDropped(DropReason reason)
    {
        _dropped++;
        _totals?.AddDropped();
        _metrics?.Dropped(reason);
    }

    private Backlog TakeBacklogLocked(long now)
    {
        Backlog taken = _backlog;
        _backlog = default;
        _lastReport = now;
        return taken;
    }

    private void ReportBacklog()
    {
        Backlog report;
        lock (_gate)
        {
            report = TakeBacklogLocked(_lastReport);
        }

        Report(report);
    }

    /// <summary>Hands counts taken from the backlog to the shared totals and metrics; outside the lock.</summary>
    private void Report(in Backlog counts)
    {
        if (counts.Total == 0)
        {
            return;
        }

        int conflated = counts.RateConflations + counts.QueueConflations;
        if (conflated != 0)
        {
            _totals?.AddConflated(conflated);
        }

        if (counts.ResyncDrops != 0)
        {
            _totals?.AddDropped(counts.ResyncDrops);
        }

        if (_metrics is { } metrics)
        {
            if (counts.RateConflations != 0)
            {
                metrics.Conflated(ConflationReason.MaxRate, counts.RateConflations);
            }

            if (counts.QueueConflations != 0)
            {
                metrics.Conflated(ConflationReason.QueueFull, counts.QueueConflations);
            }

            if (counts.ResyncDrops != 0)
            {
                metrics.Dropped(DropReason.BookResync, counts.ResyncDrops);
            }
        }
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_gate.IsHeldByCurrentThread);
        Debug.Assert(_queueWait.Count == _queueWaitCount, "queue-wait mirror in step");
        Debug.Assert(!_completed || (_rateWait.Count == 0 && _queueWait.Count == 0), "a completed session holds nothing");
        Debug.Assert(_queueWait.Count == 0 || _overflowing, "waiting for space means the queue overflowed");
    }

    /// <summary>Counted under the lock but not yet added to the shared totals and metrics (see the type's remarks).</summary>
    private struct Backlog
    {
        public int RateConflations;
        public int QueueConflations;
        public int ResyncDrops;

        // Sum of the three; read without the lock as a hint by the send loop and the timer.
        public int Total;
    }

    /// <summary>An intrusive FIFO list of subscriptions through their slot links; O(1) append and removal.</summary>
    private struct SlotList
    {
        public Subscription? Head;
        public Subscription? Tail;
        public int Count;

        public void Append(Subscription subscription)
        {
            Debug.Assert(subscription.SlotNext is null && subscription.SlotPrevious is null && Head != subscription);
            subscription.SlotPrevious = Tail;
            subscription.SlotNext = null;
            if (Tail is null)
            {
                Head = subscription;
            }
            else
            {
                Tail.SlotNext = subscription;
            }

            Tail = subscription;
            Count++;
        }

        public void Remove(Subscription subscription)
        {
            if (subscription.SlotPrevious is null)
            {
                Head = subscription.SlotNext;
            }
            else
            {
                subscription.SlotPrevious.SlotNext = subscription.SlotNext;
            }

            if (subscription.SlotNext is null)
            {
                Tail = subscription.SlotPrevious;
            }
            else
            {
                subscription.SlotNext.SlotPrevious = subscription.SlotPrevious;
            }

            subscription.SlotNext = null;
            subscription.SlotPrevious = null;
            Count--;
        }
    }
}
