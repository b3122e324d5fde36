using MarketPush.Engine.Buffers;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// Where a session gets snapshot messages of the last-value cache: on subscribe, and on the recovery path after a
/// book gap or a subscribe snapshot that did not fit the queue. A seam the session stage defines and the stage above
/// implements (the router, which owns the encoders and the cache), so sessions never reference the router itself.
/// Per-session encoding is acceptable here because it is not the per-update path.
/// </summary>
/// <remarks>
/// Called from receive loops, send loops and the timer wheel's thread, concurrently, and always with no session lock
/// held (<see cref="ConflatingDelivery"/> builds a snapshot outside its lock and checks afterwards, under it, that no
/// newer update arrived meanwhile), so an implementation may take its own locks and may be slow without stalling the
/// router's deliveries to that session.
/// </remarks>
public interface ISnapshotSource
{
    /// <summary>
    /// A <c>snapshot: true</c> message of the channel's last value in <paramref name="variant"/>'s encoding (the book
    /// at its depth), with the <c>seq</c> it carries; null (and sequence 0) when the channel has no value yet. The
    /// caller disposes it.
    /// </summary>
    OutboundMessage? CreateSnapshot(Instrument instrument, MarketChannel channel, WireVariant variant, out long sequence);

    /// <summary>The <c>seq</c> of the channel's last value (0 when none): where a subscription without snapshot starts.</summary>
    long GetLastSequence(Instrument instrument, MarketChannel channel);

    /// <summary>A <c>status</c> message when the symbol's feed is not <c>open</c>, else null. The caller disposes it.</summary>
    OutboundMessage? CreateStatusSnapshot(Instrument instrument, WireVariant variant);
}
