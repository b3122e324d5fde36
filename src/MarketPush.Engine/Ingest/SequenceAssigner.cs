using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// Hands out <c>seq</c> per instrument and channel: 1, 2, 3… in the order updates enter the server, once per
/// update, so every subscriber and every wire variant sees the same number (PROTOCOL.md). Book updates are counted
/// per book update (a run of level ticks), not per level.
/// Threading: an instrument's counters are advanced only by the ingest reader of the feed that owns the
/// instrument; <see cref="Current"/> may be read from any thread.
/// </summary>
public sealed class SequenceAssigner
{
    private const int ChannelCount = 3;

    private readonly long[] _counters;

    public SequenceAssigner(int instrumentCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(instrumentCount);
        _counters = new long[instrumentCount * ChannelCount];
    }

    /// <summary>The next sequence number for the instrument and channel (the first is 1).</summary>
    public long Next(int instrumentId, MarketChannel channel)
    {
        ref long counter = ref _counters[(instrumentId * ChannelCount) + (int)channel];
        long next = counter + 1;
        Volatile.Write(ref counter, next);
        return next;
    }

    /// <summary>The last number handed out (0 when none yet).</summary>
    public long Current(int instrumentId, MarketChannel channel) => Volatile.Read(ref _counters[(instrumentId * ChannelCount) + (int)channel]);
}
