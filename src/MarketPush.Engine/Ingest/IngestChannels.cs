using System.Threading.Channels;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The ingest stage's inputs: one bounded <see cref="IngestChannel"/> per feed, each with exactly one writer (the
/// feed's supervision) and one reader (its <see cref="IngestPipeline"/>). Created once by the composition root,
/// handed to the feed supervisor, which <see cref="Open"/>s one channel per feed it adds (at startup, before
/// anything runs), and to <see cref="IngestLoops"/>, which reads them all. The counters may be read from any thread.
/// </summary>
public sealed class IngestChannels
{
    private readonly Lock _gate = new();
    private readonly List<IngestChannel> _channels = [];

    /// <summary>Creates the channel of one feed; feed names are unique.</summary>
    public IngestChannel Open(string feedName, int capacity = IngestChannel.DefaultCapacity, BoundedChannelFullMode fullMode = BoundedChannelFullMode.Wait)
    {
        ArgumentException.ThrowIfNullOrEmpty(feedName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        lock (_gate)
        {
            foreach (IngestChannel existing in _channels)
            {
                if (existing.FeedName == feedName)
                {
                    throw new InvalidOperationException($"An ingest channel for feed '{feedName}' is already open.");
                }
            }

            var channel = new IngestChannel(feedName, capacity, fullMode);
            _channels.Add(channel);
            return channel;
        }
    }

    public IReadOnlyList<IngestChannel> Channels
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
            foreach (IngestChannel channel in Channels)
            {
                total += channel.Dropped;
            }

            return total;
        }
    }
}
