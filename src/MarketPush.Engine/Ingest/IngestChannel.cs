using System.Threading.Channels;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The bounded channel between one supervised feed (its writer) and one <see cref="IngestPipeline"/> (its only
/// reader), so a burst in one feed cannot delay another feed's ticks. Opened per feed by <see cref="IngestChannels"/>,
/// which the composition root creates and hands to the feed supervision (writes) and to <see cref="IngestLoops"/>
/// (reads). Owns the channel and its drop count.
/// </summary>
/// <remarks>
/// Writers are serialised by the caller (the feed's supervised writer holds one lock around every write: the feed's
/// ticks, the supervisor's status announcements and repairs). That is what lets <see cref="TryWrite"/> hand back the
/// tick a full <see cref="BoundedChannelFullMode.DropOldest"/> channel discarded without a callback per writer: the
/// channel's drop callback (run inside the write, on the writing thread) parks it in a field the same call reads.
/// In <see cref="BoundedChannelFullMode.Wait"/> a full channel refuses the write and nothing is lost; book updates
/// span several ticks, so drop mode is only safe for a writer that repairs what was dropped.
/// </remarks>
public sealed class IngestChannel
{
    /// <summary>About 3 MB of 48-byte ticks: a few hundred ms of a fast feed, enough to ride out a GC pause.</summary>
    public const int DefaultCapacity = 65_536;

    private readonly Channel<Tick> _channel;
    private long _dropped;
    private Tick _lastDropped;
    private bool _droppedInWrite;

    internal IngestChannel(string feedName, int capacity, BoundedChannelFullMode fullMode)
    {
        FeedName = feedName;
        Capacity = capacity;
        FullMode = fullMode;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = fullMode,
            SingleWriter = false, // the feed and its supervisor, serialised by the writer's lock
            SingleReader = true,  // one ingest pipeline
            AllowSynchronousContinuations = false, // the feed must never run the ingest loop inline
        };

        // Only called in the drop modes; the delegate is created once per channel, not per tick.
        _channel = Channel.CreateBounded<Tick>(options, OnItemDropped);
    }

    public string FeedName { get; }

    public int Capacity { get; }

    public BoundedChannelFullMode FullMode { get; }

    public ChannelReader<Tick> Reader => _channel.Reader;

    /// <summary>Ticks discarded because the channel was full (always 0 in <see cref="BoundedChannelFullMode.Wait"/>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Ticks waiting for ingest right now.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>
    /// Writes one tick; false when the channel is full (wait mode) or completed. In drop mode a full channel takes
    /// the tick and discards its oldest: <paramref name="dropped"/> is then true and <paramref name="oldest"/> holds
    /// the discarded tick. Writers must not call this concurrently (see the remarks).
    /// </summary>
    public bool TryWrite(in Tick tick, out bool dropped, out Tick oldest)
    {
        _droppedInWrite = false;
        bool written = _channel.Writer.TryWrite(tick);
        dropped = _droppedInWrite;
        oldest = dropped ? _lastDropped : default;
        return written;
    }

    /// <summary>Writes one tick when the caller does not track what a drop took away.</summary>
    public bool TryWrite(in Tick tick) => TryWrite(tick, out _, out _);

    /// <summary>Completes when there is room to write (true) or the channel was completed (false).</summary>
    public ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) => _channel.Writer.WaitToWriteAsync(cancellationToken);

    /// <summary>Ends the channel: the ingest loop drains what is queued and stops.</summary>
    public void Complete() => _channel.Writer.TryComplete();

    private void OnItemDropped(Tick tick)
    {
        Interlocked.Increment(ref _dropped);
        _lastDropped = tick;
        _droppedInWrite = true;
    }
}
