using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>
/// One applied book update as the router reads it, per depth tier (1, 5, 10, 20, 50): whether the tier changed, its
/// delta and the checksum of the tier after the update. Defined here, by the stage that reads it, and implemented by
/// ingest's <c>BookUpdate</c>, so ingest depends on routing and not the other way round. Read on the ingest thread
/// during <see cref="ITickSink.OnBook"/> only (the implementation is reused for the next update); one interface call
/// per tier, not per subscriber.
/// </summary>
public interface IBookDelta
{
    /// <summary>True when the best <paramref name="depth"/> levels of either side changed.</summary>
    bool HasChanges(int depth);

    /// <summary>The bid levels a client holding the best <paramref name="depth"/> levels must apply (size 0 removes).</summary>
    ReadOnlySpan<BookLevel> GetBids(int depth);

    /// <summary>The ask levels a client holding the best <paramref name="depth"/> levels must apply (size 0 removes).</summary>
    ReadOnlySpan<BookLevel> GetAsks(int depth);

    /// <summary>The checksum of the best <paramref name="depth"/> levels after the update.</summary>
    uint GetChecksum(int depth);
}
