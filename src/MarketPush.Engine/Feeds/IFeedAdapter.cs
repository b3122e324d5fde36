using System.Threading.Channels;
using MarketPush.Engine.Ingest;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// The start of the data path: a source of ticks (the synthetic generator, a replayed file, a venue connection).
/// The host gives each feed its own bounded channel from <c>IngestChannels</c> and runs it on its own task; the feed
/// is that channel's only writer. Instruments come from the shared <see cref="InstrumentCatalog"/>, and each
/// instrument belongs to exactly one feed (sequence numbers and books are kept per instrument by one reader).
/// </summary>
public interface IFeedAdapter
{
    /// <summary>Low-cardinality name used for the channel and in metrics labels (e.g. <c>synthetic</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Writes ticks until <paramref name="cancellationToken"/> is cancelled (then returns normally) or the source ends.
    /// Waits when the channel is full rather than dropping, unless the adapter documents otherwise. Does not
    /// complete the writer: the owner of the channel does, after this task ends.
    /// </summary>
    Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken);
}
