using MarketPush.Engine.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// The running ingest stage: one <see cref="IngestPipeline"/> per <see cref="IngestChannel"/>, each on its own task,
/// sharing the last-value cache and the sequence counters (instruments are disjoint between feeds) and handing every
/// sequenced update to the sink (the router). Built by the composition root after the router, started before the
/// feeds, disposed after them: a loop ends when the supervisor completes its channel, once what was queued is
/// processed, so nothing a feed wrote is lost on shutdown. Owns the loop tasks, not the channels, cache or sink.
/// </summary>
public sealed class IngestLoops : IAsyncDisposable
{
    private readonly IngestChannels _channels;
    private readonly LastValueCache _cache;
    private readonly SequenceAssigner _sequences;
    private readonly ITickSink _sink;
    private readonly ILogger _logger;
    private readonly List<Task> _tasks = [];
    private int _started;

    public IngestLoops(IngestChannels channels, LastValueCache cache, SequenceAssigner sequences, ITickSink sink, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(sink);
        _channels = channels;
        _cache = cache;
        _sequences = sequences;
        _sink = sink;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Starts one loop per channel opened so far (every feed is added before this). Once.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The ingest loops were already started.");
        }

        foreach (IngestChannel channel in _channels.Channels)
        {
            var pipeline = new IngestPipeline(_cache, _sequences, _sink);
            _tasks.Add(Task.Run(() => RunAsync(channel, pipeline), CancellationToken.None));
        }
    }

    /// <summary>Waits for every loop to drain its completed channel; call after the feeds stopped.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(_tasks).ConfigureAwait(false);

    private async Task RunAsync(IngestChannel channel, IngestPipeline pipeline)
    {
        try
        {
            // Not cancelled: it ends when the supervisor completes the channel, after the queued ticks are processed.
            await pipeline.RunAsync(channel.Reader, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Ingest of feed {Feed} failed; its updates no longer reach subscribers", channel.FeedName);
        }
    }
}
