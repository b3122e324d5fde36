using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>
/// Builds snapshot messages from the last-value cache for one session: on subscribe, and on the recovery path after
/// a book gap or a snapshot that did not fit the queue. Per-session encoding is acceptable here because it is not the
/// per-update path. Implemented by <see cref="SubscriptionRouter"/>; called from receive loops, send loops and the
/// rate scheduler's thread, concurrently.
/// </summary>
public interface ISnapshotSource
{
    /// <summary>
    /// A <c>snapshot: true</c> message of the channel's last value (the book at <paramref name="depth"/> levels), with
    /// the <c>seq</c> it carries; null (and sequence 0) when the channel has no value yet. The caller disposes it.
    /// </summary>
    OutboundMessage? CreateSnapshot(Instrument instrument, MarketChannel channel, WireEncoding encoding, int depth, out long sequence);

    /// <summary>The <c>seq</c> of the channel's last value (0 when none): where a subscription without snapshot starts.</summary>
    long GetLastSequence(Instrument instrument, MarketChannel channel);

    /// <summary>A <c>status</c> message when the symbol's feed is not <c>open</c>, else null. The caller disposes it.</summary>
    OutboundMessage? CreateStatusSnapshot(Instrument instrument, WireEncoding encoding);
}
