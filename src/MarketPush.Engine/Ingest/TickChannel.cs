using System.Threading.Channels;
using MarketPush.Engine.Feeds;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The bounded channel between one feed adapter (its only writer) and one <see cref="IngestPipeline"/> (its only
/// reader). Created by <see cref="TickChannels"/>; the host runs the feed into <see cref="Writer"/>, completes the
/// writer when the feed task ends, and runs a pipeline over <see cref="Reader"/>.
/// </summary>
public sealed class TickChannel
{
    private readonly Channel<Tick> _channel;
    private long _dropped;

    internal TickChannel(string feedName, int capacity, BoundedChannelFullMode fullMode)
    {
        FeedName = feedName;
        Capacity = capacity;
        FullMode = fullMode;
        var options = new BoundedChannelOptions(capacity)
        {
            FullMode = fullMode,
            SingleWriter = true,  // one feed adapter task
            SingleReader = true,  // one ingest pipeline
            AllowSynchronousContinuations = false, // the feed must never run the ingest loop inline
        };

        // Only called in the drop modes; the delegate is created once per channel, not per tick.
        _channel = Channel.CreateBounded<Tick>(options, _ => Interlocked.Increment(ref _dropped));
    }

    public string FeedName { get; }

    public int Capacity { get; }

    public BoundedChannelFullMode FullMode { get; }

    public ChannelWriter<Tick> Writer => _channel.Writer;

    public ChannelReader<Tick> Reader => _channel.Reader;

    /// <summary>Ticks discarded because the channel was full (always 0 in <see cref="BoundedChannelFullMode.Wait"/>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Ticks waiting for ingest right now.</summary>
    public int Count => _channel.Reader.Count;
}
