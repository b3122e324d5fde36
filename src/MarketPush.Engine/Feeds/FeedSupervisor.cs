using System.Threading.Channels;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// Runs every feed adapter of the server, each isolated on its own task with its own bounded ingest channel
/// (opened in the <see cref="IngestChannels"/> the composition root gives it, read through <see cref="SupervisedFeed.Reader"/>): a feed that throws is logged, its symbols are announced <c>stale</c>, and it
/// is restarted after an exponential backoff while the others carry on; a feed that ends on its own (a replay at the
/// end of its file) is not restarted. Permanent errors (a bad capture file, a missing file) are not retried.
/// Staleness: a timer checks every feed's instruments; one with no update for the feed's
/// <see cref="SupervisedFeedOptions.StaleAfter"/>, or whose feed is down, gets a <c>status stale</c> tick through its
/// feed's channel (so it reaches subscribers in order with the data, as a <c>status</c> message), and a
/// <c>status open</c> tick just before its next update. <see cref="IsLive"/> backs <c>/readyz</c>.
/// Threading: <see cref="Add"/> before <see cref="Start"/>; afterwards the properties may be read from any thread.
/// Completes the channels on stop (the ingest loops then drain them) and the recorder's completion when one is given.
/// </summary>
public sealed class FeedSupervisor : IAsyncDisposable
{
    private readonly InstrumentCatalog _catalog;
    private readonly IngestChannels _channels;
    private readonly MarketPushMetrics? _metrics;
    private readonly FeedRecorder? _recorder;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly List<SupervisedFeed> _feeds = [];
    private readonly List<Task> _runs = [];
    private readonly HashSet<int> _ownedInstruments = [];
    private readonly CoarseClock _clock;
    private CancellationTokenSource? _stopping;
    private ITimer? _stalenessTimer;
    private Task? _stopTask;
    private int _stalenessChecks;

    /// <param name="channels">Where each added feed's ingest channel is opened; the ingest loops read the same set.</param>
    public FeedSupervisor(InstrumentCatalog catalog, IngestChannels channels, MarketPushMetrics? metrics = null, FeedRecorder? recorder = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(channels);
        _catalog = catalog;
        _channels = channels;
        _metrics = metrics;
        _recorder = recorder;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _clock = new CoarseClock(_time);
    }

    public IReadOnlyList<SupervisedFeed> Feeds => _feeds;

    public InstrumentCatalog Catalog => _catalog;

    public FeedRecorder? Recorder => _recorder;

    /// <summary>True when there is at least one feed and every feed is live (running and delivering updates).</summary>
    public bool IsLive
    {
        get
        {
            if (_feeds.Count == 0)
            {
                return false;
            }

            foreach (SupervisedFeed feed in _feeds)
            {
                if (!feed.IsLive)
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Staleness checks run so far (tests wait on it).</summary>
    public int StalenessChecks => Volatile.Read(ref _stalenessChecks);

    /// <summary>Adds a feed (before <see cref="Start"/>). Each instrument belongs to at most one feed.</summary>
    public SupervisedFeed Add(IFeedAdapter adapter, SupervisedFeedOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        options ??= new SupervisedFeedOptions();
        options.Validate();
        if (_stopping is not null)
        {
            throw new InvalidOperationException("Feeds are added before the supervisor starts.");
        }

        foreach (SupervisedFeed existing in _feeds)
        {
            if (existing.Name == adapter.Name)
            {
                throw new ArgumentException($"A feed named '{adapter.Name}' is already supervised.", nameof(adapter));
            }
        }

        IReadOnlyList<int> ids = options.InstrumentIds ?? [.. Enumerable.Range(0, _catalog.Count)];
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)_catalog.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"Instrument id {id} is not in the catalog.");
            }

            if (!_ownedInstruments.Add(id))
            {
                throw new ArgumentException($"Instrument '{_catalog[id].Symbol}' already belongs to another feed.", nameof(options));
            }
        }

        FeedMetrics? metrics = _metrics?.Feed(adapter.Name);
        IngestChannel channel = _channels.Open(
            adapter.Name,
            options.ChannelCapacity,
            options.Overflow == FeedOverflowMode.DropOldest ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait);
        var writer = new SupervisedTickWriter(channel, _catalog.Count, _clock, metrics, _recorder);
        var feed = new SupervisedFeed(adapter, options, ids, writer, _time);
        _feeds.Add(feed);
        return feed;
    }

    /// <summary>Starts every feed on its own task and the staleness timer.</summary>
    public void Start(CancellationToken cancellationToken = default)
    {
        if (_stopping is not null)
        {
            throw new InvalidOperationException("The supervisor is already started.");
        }

        _stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        CancellationToken stop = _stopping.Token;
        _clock.Start(); // its timer runs only while feeds deliver (CoarseClock)
        foreach (SupervisedFeed feed in _feeds)
        {
            _runs.Add(Task.Run(() => SuperviseAsync(feed, stop), CancellationToken.None));
        }

        if (_feeds.Count > 0)
        {
            TimeSpan shortest = _feeds.Min(static f => f.Options.StaleAfter);
            TimeSpan period = TimeSpan.FromTicks(Math.Clamp(shortest.Ticks / 4, TimeSpan.FromMilliseconds(20).Ticks, TimeSpan.FromSeconds(1).Ticks));
            _stalenessTimer = _time.CreateTimer(static state => ((FeedSupervisor)state!).CheckStaleness(), this, period, period);
        }
    }

    /// <summary>
    /// Stops every feed (cancels and waits for them), announces nothing more, completes the channels (ingest drains
    /// what is queued) and completes the recorder. Safe to call more than once.
    /// </summary>
    public Task StopAsync()
    {
        lock (_runs)
        {
            return _stopTask ??= StopCoreAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>One staleness pass over every feed (the timer's callback; tests call it after moving the clock).</summary>
    internal void CheckStaleness()
    {
        _clock.Refresh();
        foreach (SupervisedFeed feed in _feeds)
        {
            long staleAfterTicks = (long)(feed.Options.StaleAfter.TotalSeconds * _time.TimestampFrequency);
            bool down = feed.State is SupervisedFeedState.Restarting or SupervisedFeedState.Failed or SupervisedFeedState.Completed;
            if (feed.State != SupervisedFeedState.Stopped && feed.State != SupervisedFeedState.Idle)
            {
                feed.Writer.AnnounceStaleness(feed.InstrumentIds, staleAfterTicks, down);
                feed.Writer.RepairIfDue();
            }
        }

        Interlocked.Increment(ref _stalenessChecks);
    }

    private async Task StopCoreAsync()
    {
        if (_stopping is null)
        {
            foreach (SupervisedFeed feed in _feeds)
            {
                feed.Writer.Complete();
            }

            if (_recorder is not null)
            {
                await _recorder.CompleteAsync().ConfigureAwait(false);
            }

            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_stalenessTimer is not null)
        {
            await _stalenessTimer.DisposeAsync().ConfigureAwait(false);
        }

        await _clock.DisposeAsync().ConfigureAwait(false);

        await Task.WhenAll(_runs).ConfigureAwait(false); // SuperviseAsync never throws
        foreach (SupervisedFeed feed in _feeds)
        {
            feed.Writer.Complete();
        }

        if (_recorder is not null)
        {
            await _recorder.CompleteAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary>The life of one feed: run, and on failure announce its symbols stale, back off, run again.</summary>
    private async Task SuperviseAsync(SupervisedFeed feed, CancellationToken stop)
    {
        SupervisedFeedOptions options = feed.Options;
        var backoff = new ExponentialBackoff(options.RestartInitialDelay, options.RestartMaxDelay);
        long staleAfterTicks = (long)(options.StaleAfter.TotalSeconds * _time.TimestampFrequency);
        while (!stop.IsCancellationRequested)
        {
            feed.State = SupervisedFeedState.Running;
            feed.SetNextRestartDelay(TimeSpan.Zero);
            feed.Writer.ResetFeedActivity();
            long started = _time.GetTimestamp();
            try
            {
                // Task.Run: an adapter that blocks or throws before its first await cannot hold up or break the others.
                await Task.Run(() => feed.Adapter.RunAsync(feed.Writer, stop), CancellationToken.None).ConfigureAwait(false);
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                feed.State = SupervisedFeedState.Completed;
                _logger.LogInformation("Feed {Feed} ended; its symbols are now stale", feed.Name);
                feed.Writer.AnnounceStaleness(feed.InstrumentIds, staleAfterTicks, feedDown: true);
                return;
            }
            catch (Exception ex) when (stop.IsCancellationRequested && ex is OperationCanceledException)
            {
                break;
            }
            catch (Exception ex)
            {
                feed.OnFailure(ex);
                feed.Writer.AnnounceStaleness(feed.InstrumentIds, staleAfterTicks, feedDown: true);
                if (!options.Restart || IsPermanent(ex))
                {
                    feed.State = SupervisedFeedState.Failed;
                    _logger.LogError(ex, "Feed {Feed} failed and will not be restarted: {Message}", feed.Name, ex.Message);
                    return;
                }

                if (_time.GetElapsedTime(started) >= options.RestartResetAfter)
                {
                    backoff.Reset(); // it had been healthy: this is a fresh incident
                }

                TimeSpan delay = backoff.Next();
                feed.SetNextRestartDelay(delay);
                feed.State = SupervisedFeedState.Restarting;
                _logger.LogWarning(ex, "Feed {Feed} failed ({Failures} so far); restarting in {DelayMs} ms: {Message}",
                    feed.Name, feed.Failures, (long)delay.TotalMilliseconds, ex.Message);
                try
                {
                    await Task.Delay(delay, _time, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                feed.OnRestart();
            }
        }

        feed.State = SupervisedFeedState.Stopped;
    }

    /// <summary>Errors that a restart cannot fix: the same file would fail the same way.</summary>
    private static bool IsPermanent(Exception error) =>
        error is CaptureFormatException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException;
}
