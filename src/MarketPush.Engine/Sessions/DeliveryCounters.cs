using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// One session's delivery outcomes: enqueued, conflated (replaced by a newer value before it was sent) and dropped
/// (book deltas skipped for a resync, updates for a full or closing session), readable at any time, plus the part not
/// yet handed to the server-wide <see cref="DeliveryTotals"/> and metrics (a <see cref="DeliveryCountBatch"/>).
/// </summary>
/// <remarks>
/// <para>
/// Why batches: conflations and resync drops are the outcomes a saturated fan-out produces millions of (goal G1: 1,000
/// sessions of one symbol offered 4M updates/s), and a shared interlocked counter or a metrics call per delivery would
/// cost more than the delivery. So they are counted here, per session, and handed over in batches: the first one after
/// a quiet spell at once, then at most every <see cref="ReportIntervalMs"/> ms or every <see cref="ReportBatch"/>
/// events, and whatever is left when the send loop comes back, a timer fires or the session ends. The rare drops (a
/// full queue refusing a status message, a closing session) are handed over at once.
/// <c>RouterFanOutBenchmarks.FanOutQuoteToFullQueues</c> measures it.
/// </para>
/// <para>
/// Threads: the counting members and <see cref="TakeIfDue"/>/<see cref="TakeAll"/> are called under the owning
/// <see cref="ConflatingDelivery"/>'s lock; the public counts and <see cref="HasUnreported"/> are read from any thread
/// without it; <see cref="Report"/> is called after the lock is released. Owns no shared state; allocation-free.
/// </para>
/// </remarks>
public sealed class DeliveryCounters
{
    /// <summary>Longest a busy session keeps conflation and resync-drop counts before handing them to totals and metrics.</summary>
    public const int ReportIntervalMs = 100;

    /// <summary>Counts a session hands over at once at most (sooner than <see cref="ReportIntervalMs"/> when busier).</summary>
    public const int ReportBatch = 1024;

    private readonly DeliveryTotals? _totals;
    private readonly MarketPushMetrics? _metrics;
    private readonly long _reportTicks;
    private long _enqueued;
    private long _conflated;
    private long _dropped;
    private DeliveryCountBatch _unreported;
    private long _lastReport;

    internal DeliveryCounters(TimeProvider time, DeliveryTotals? totals, MarketPushMetrics? metrics)
    {
        ArgumentNullException.ThrowIfNull(time);
        _totals = totals;
        _metrics = metrics;
        _reportTicks = Math.Max(1, ReportIntervalMs * time.TimestampFrequency / 1000);
        // So that the first conflation of the session is reported at once.
        _lastReport = time.GetTimestamp() - _reportTicks;
    }

    /// <summary>Market messages (updates and snapshots) that went into the queue.</summary>
    public long Enqueued => Volatile.Read(ref _enqueued);

    /// <summary>Pending updates replaced by a newer one for the same symbol and channel before being sent.</summary>
    public long Conflated => Volatile.Read(ref _conflated);

    /// <summary>Updates not sent at all: book deltas skipped during a resync, updates for a full or closing session.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>True when counts wait to be handed over; read without the lock (a hint: written under it).</summary>
    internal bool HasUnreported => Volatile.Read(ref _unreported.Total) != 0;

    // ---- Under the owner's lock ---------------------------------------------------------------------------

    internal void CountEnqueued() => _enqueued++;

    internal void CountConflated(ConflationReason reason)
    {
        _conflated++;
        _unreported.Total++;
        if (reason == ConflationReason.MaxRate)
        {
            _unreported.RateConflations++;
        }
        else
        {
            _unreported.QueueConflations++;
        }
    }

    /// <summary>A book delta skipped because the next book message is a snapshot anyway.</summary>
    internal void CountResyncDrop()
    {
        _dropped++;
        _unreported.ResyncDrops++;
        _unreported.Total++;
    }

    /// <summary>A rare drop (a full queue refused an unconflatable message, or the session is closing): due at once.</summary>
    internal void CountDropped(DropReason reason)
    {
        _dropped++;
        _unreported.Total++;
        if (reason == DropReason.QueueFull)
        {
            _unreported.QueueFullDrops++;
        }
        else
        {
            _unreported.ClosingDrops++;
        }
    }

    /// <summary>The counts to hand over now, if any are due (see the type's remarks); empty otherwise.</summary>
    internal DeliveryCountBatch TakeIfDue(long now, bool force = false)
    {
        if (_unreported.Total == 0 ||
            !(force || _unreported.HasUrgent || _unreported.Total >= ReportBatch || now - _lastReport >= _reportTicks))
        {
            return default;
        }

        DeliveryCountBatch taken = _unreported;
        _unreported = default;
        _lastReport = now;
        return taken;
    }

    /// <summary>Everything not handed over yet, without restarting the batching interval.</summary>
    internal DeliveryCountBatch TakeAll()
    {
        DeliveryCountBatch taken = _unreported;
        _unreported = default;
        return taken;
    }

    // ---- Outside the lock ---------------------------------------------------------------------------------

    /// <summary>Hands a taken batch to the server-wide totals and metrics.</summary>
    internal void Report(in DeliveryCountBatch batch) => batch.ReportTo(_totals, _metrics);
}
