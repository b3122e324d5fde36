namespace MarketPush.Engine.Sessions;

/// <summary>
/// Server-wide totals of the backpressure outcomes every <see cref="ConflatingDelivery"/> counts per session, readable
/// without a metrics listener (tests, the log line at shutdown). Only the backpressure outcomes are totalled here
/// (conflated, dropped, slow-consumer closes), and each session hands over its conflations and book-resync drops in
/// batches, so the per-delivery path never touches a shared counter; enqueued updates are counted per session. Any thread.
/// </summary>
public sealed class DeliveryTotals
{
    private long _conflated;
    private long _dropped;
    private long _slowConsumerCloses;

    public long Conflated => Interlocked.Read(ref _conflated);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long SlowConsumerCloses => Interlocked.Read(ref _slowConsumerCloses);

    internal void AddConflated(long count = 1) => Interlocked.Add(ref _conflated, count);

    internal void AddDropped(long count = 1) => Interlocked.Add(ref _dropped, count);

    internal void AddSlowConsumerClose() => Interlocked.Increment(ref _slowConsumerCloses);
}
