using MarketPush.Engine.Buffers;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// How the router sees a session: one subscriber object per subscribed (symbol, channel) of one session, so the
/// object itself is the conflation key and the router passes nothing but the shared message, its <c>seq</c> and the
/// time it was published. Called by the ingest thread that runs the router, once per update per subscriber; must not
/// block, must not allocate, and must take its own reference to any frame it keeps (the router disposes the message
/// afterwards).
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
    /// <param name="timestamp">
    /// <see cref="TimeProvider.GetTimestamp"/> of the router's clock (the same provider as the sessions' timer wheel),
    /// read once per update and shared by all its subscribers: a clock read per delivery cost 13% of the server's CPU
    /// in a 1,000-subscriber fan-out. It is at most one fan-out old, which maxRate spacing and the slow-consumer
    /// deadline (milliseconds and up) do not notice.
    /// </param>
    EnqueueResult TryEnqueue(OutboundMessage message, long sequence, long timestamp);

    /// <summary>
    /// Offers an unsequenced <c>status</c> message. <paramref name="eventStamp"/> identifies the event, so a session
    /// subscribed to several channels of the symbol queues it once.
    /// </summary>
    EnqueueResult TryEnqueueStatus(OutboundMessage message, long eventStamp);
}
