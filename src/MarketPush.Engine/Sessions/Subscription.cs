using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// One session's subscription to one (symbol, channel): the object the router holds in its subscriber groups, the
/// conflation key, and the slot that keeps the newest value not yet queued (the conflation slot of PROTOCOL.md's
/// "the newest update for a symbol is always the one kept").
/// </summary>
/// <remarks>
/// Created by <see cref="SubscriptionCommands"/> on the session's receive loop; its wire variant (instrument,
/// channel, book depth, and the owner's encoding) never changes, so a new depth is a new subscription and an update
/// still in flight to the old one is simply refused. Everything mutable is guarded by the owner's
/// (<see cref="ConflatingDelivery"/>) lock; the router calls <see cref="TryEnqueue"/> from its ingest thread and the
/// <see cref="TimerWheel"/> calls <see cref="OnTimer"/> when a maxRate wait is over. Owns one reference to its pending
/// frame, if any; the owner releases it when the value is queued, replaced, or the subscription ends.
/// </remarks>
public sealed class Subscription : TimerWheelEntry, IUpdateSubscriber
{
    // ---- Guarded by Owner's lock ----------------------------------------------------------------------------

    /// <summary>Updates with a seq at or below this are covered by what was already sent (a snapshot) and skipped.
    /// Starts at long.MaxValue: a subscription receives nothing until <see cref="ConflatingDelivery.Activate"/>.</summary>
    internal long MinSequence = long.MaxValue;

    /// <summary>
    /// The highest <c>seq</c> the router offered this subscription, refused or not. A snapshot built outside the
    /// owner's lock is stale when an offer newer than it arrived meanwhile (<c>ConflatingDelivery.Snapshots.cs</c>).
    /// </summary>
    internal long LastOffered;

    /// <summary>Minimum spacing of sends in <see cref="TimeProvider"/> ticks (1/maxRate s); 0 = every update.</summary>
    internal long IntervalTicks;

    /// <summary>Earliest timestamp the next send is allowed (last send + <see cref="IntervalTicks"/>).</summary>
    internal long NextAllowed;

    /// <summary>The newest value not queued yet (one reference owned), or null.</summary>
    internal SharedFrame? PendingFrame;

    internal long PendingSequence;

    /// <summary>The next message must be a snapshot built from the last-value cache (book gap, or a deferred subscribe snapshot).</summary>
    internal bool NeedsSnapshot;

    internal SlotState State;

    internal bool Removed;

    // Links of the owner's wait lists (rate wait or queue wait; never both).
    internal Subscription? SlotNext;
    internal Subscription? SlotPrevious;

    internal Subscription(ConflatingDelivery owner, Instrument instrument, MarketChannel channel, int depth, double maxRate)
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(instrument);
        if (channel == MarketChannel.Book && !BookDepth.IsValid(depth))
        {
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "Book depth must be one of 1, 5, 10, 20, 50.");
        }

        Owner = owner;
        Instrument = instrument;
        Channel = channel;
        Depth = channel == MarketChannel.Book ? depth : 0;
        MaxRate = maxRate;
        IntervalTicks = ConflatingDelivery.ToIntervalTicks(maxRate, owner.Time.TimestampFrequency);
    }

    public ConflatingDelivery Owner { get; }

    public Instrument Instrument { get; }

    public MarketChannel Channel { get; }

    /// <summary>Book levels per side for the book channel; 0 for quote and trade.</summary>
    public int Depth { get; }

    /// <summary>What this subscription's messages look like on the wire: the session's encoding and compression, and its depth.</summary>
    public WireVariant Variant => Owner.Variant.WithBookDepth(Depth);

    /// <summary>Updates per second allowed (0: every update). Changed by a later subscribe.</summary>
    public double MaxRate { get; internal set; }

    /// <summary>True while a newer value than the last one queued is held back (maxRate or a full queue).</summary>
    public bool HasPending => Volatile.Read(ref PendingFrame) is not null || NeedsSnapshot;

    public bool IsRemoved => Volatile.Read(ref Removed);

    public EnqueueResult TryEnqueue(OutboundMessage message, long sequence, long timestamp) => Owner.Deliver(this, message, sequence, timestamp);

    public EnqueueResult TryEnqueueStatus(OutboundMessage message, long eventStamp) => Owner.DeliverStatus(this, message, eventStamp);

    protected internal override void OnTimer(long timestamp) => Owner.OnRateDue(this, timestamp);

    public override string ToString() => $"{Instrument.Symbol}/{Channel}{(Depth > 0 ? "@" + Depth : string.Empty)}";

    /// <summary>Where a subscription's pending value waits.</summary>
    internal enum SlotState : byte
    {
        /// <summary>Nothing pending: the next update goes straight to the queue (if the rate allows).</summary>
        Idle = 0,

        /// <summary>Held until the maxRate interval is over; scheduled on the <see cref="TimerWheel"/>.</summary>
        RateWait = 1,

        /// <summary>Held because the queue was full; flushed in order when the send loop has drained it.</summary>
        QueueWait = 2,
    }
}
