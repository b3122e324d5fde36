using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>
/// The router's snapshots, observed: records for every call whether the session's delivery lock was held by the
/// calling thread, and runs <see cref="AfterBuild"/> after a snapshot was built and before it is returned, which is
/// where an update racing the build lands.
/// </summary>
internal sealed class ObservedSnapshotSource(ISnapshotSource inner) : ISnapshotSource
{
    public ConflatingDelivery? Delivery { get; set; }

    /// <summary>Runs once per build (with the build's 1-based number), after the cache was read.</summary>
    public Action<int>? AfterBuild { get; set; }

    public int Builds { get; private set; }

    public int CallsUnderLock { get; private set; }

    public List<long> Sequences { get; } = [];

    public OutboundMessage? CreateSnapshot(Instrument instrument, MarketChannel channel, WireVariant variant, out long sequence)
    {
        Observe();
        OutboundMessage? message = inner.CreateSnapshot(instrument, channel, variant, out sequence);
        Builds++;
        Sequences.Add(sequence);
        AfterBuild?.Invoke(Builds);
        return message;
    }

    public long GetLastSequence(Instrument instrument, MarketChannel channel)
    {
        Observe();
        return inner.GetLastSequence(instrument, channel);
    }

    public OutboundMessage? CreateStatusSnapshot(Instrument instrument, WireVariant variant)
    {
        Observe();
        return inner.CreateStatusSnapshot(instrument, variant);
    }

    private void Observe()
    {
        if (Delivery?.IsLockHeldByCurrentThread == true)
        {
            CallsUnderLock++;
        }
    }
}
