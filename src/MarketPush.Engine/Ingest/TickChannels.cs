using System.Threading.Channels;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The ingest stage's inputs: one bounded <see cref="TickChannel"/> per feed, so a burst in one feed cannot
/// delay another feed's ticks, and each channel has exactly one writer and one reader.
/// The default full mode is <see cref="BoundedChannelFullMode.Wait"/>: the feed slows down and nothing is lost.
/// Book updates span several ticks, so a drop mode is only safe for feeds that carry no books; drops are counted.
/// <see cref="Open"/> is called at startup by the host; the counters may be read from any thread.
/// </summary>
public sealed class TickChannels
{
    /// <summary>About 3 MB of 48-byte ticks: a few hundred ms of a fast feed, enough to ride out a GC pause.</summary>
    public const int DefaultCapacity = 65_536;

    private readonly Lock _gate = new();
    private readonly List<TickChannel> _channels = [];
    private readonly int _capacity;
    private readonly BoundedChannelFullMode _fullMode;

    public TickChannels(int capacityPerFeed = DefaultCapacity, BoundedChannelFullMode fullMode = BoundedChannelFullMode.Wait)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityPerFeed);
        _capacity = capacityPerFeed;
        _fullMode = fullMode;
    }

    /// <summary>Creates the channel of one feed; feed names are unique.</summary>
    public TickChannel Open(string feedName)
    {
        ArgumentException.ThrowIfNullOrEmpty(feedName);
        lock (_gate)
        {
            foreach (TickChannel existing in _channels)
            {
                if (existing.FeedName == feedName)
                {
                    throw new InvalidOperationException($"A tick channel for feed '{feedName}' is already open.");
                }
            }

            var channel = new TickChannel(feedName, _capacity, _fullMode);
            _channels.Add(channel);
            return channel;
        }
    }

    public IReadOnlyList<TickChannel> Channels
    {
        get
        {
            lock (_gate)
            {
                return [.. _channels];
            }
        }
    }

    /// <summary>Ticks dropped by all channels.</summary>
    public long TotalDropped
    {
        get
        {
            long total = 0;
            foreach (TickChannel channel in Channels)
            {
                total += channel.Dropped;
            }

            return total;
        }
    }
}
