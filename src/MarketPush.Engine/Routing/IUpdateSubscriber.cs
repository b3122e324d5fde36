using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;

namespace MarketPush.Engine.Routing;

/// <summary>
/// How the router sees a session: one subscriber object per subscribed (symbol, channel) of one session, so the
/// object itself is the conflation key and the router passes nothing but the shared message and its <c>seq</c>.
/// Called by the ingest thread that runs the router, once per update per subscriber; must not block, must not
/// allocate, and must take its own reference to any frame it keeps (the router disposes the message afterwards).
/// </summary>
public interface IUpdateSubscriber
{
    /// <summary>
    /// Offers one sequenced update (quote, trade, or a book delta of this subscriber's depth). Returns
    /// <see cref="EnqueueResult.Enqueued"/> when it went into the queue, <see cref="EnqueueResult.Conflated"/> when it
    /// was kept as the pending newest value of its key (maxRate, or replacing an older pending one),
    /// <see cref="EnqueueResult.Overflow"/> when it was kept because the queue is full, <see cref="EnqueueResult.Dropped"/>
    /// when it is not needed (already covered by a snapshot, a book delta during a resync, an inactive subscription)
    /// and <see cref="EnqueueResult.Closed"/> when the session is closing.
    /// </summary>
    EnqueueResult TryEnqueue(OutboundMessage message, long sequence);

    /// <summary>
    /// Offers an unsequenced <c>status</c> message. <paramref name="eventStamp"/> identifies the event, so a session
    /// subscribed to several channels of the symbol queues it once.
    /// </summary>
    EnqueueResult TryEnqueueStatus(OutboundMessage message, long eventStamp);
}
