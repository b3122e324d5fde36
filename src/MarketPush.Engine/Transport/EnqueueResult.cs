namespace MarketPush.Engine.Transport;

/// <summary>What <see cref="OutboundQueue.TryEnqueue"/> did with a frame. Expected outcomes are values, not exceptions.</summary>
public enum EnqueueResult
{
    /// <summary>Queued; the queue took its own reference.</summary>
    Enqueued,

    /// <summary>Replaced an older pending update for the same key (conflation; the next issue adds it).</summary>
    Conflated,

    /// <summary>Not queued by policy (e.g. a control frame past its small cap).</summary>
    Dropped,

    /// <summary>Not queued: the queue is at its frame or byte bound. The caller counts it; slow-consumer handling follows.</summary>
    Overflow,

    /// <summary>Not queued: the session is closing or closed.</summary>
    Closed,
}
