using System.Threading.Channels;
using MarketPush.Engine.Ingest;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// One feed under a <see cref="FeedSupervisor"/>: the adapter, its ingest channel (<see cref="Reader"/>, which the
/// host hands to an <c>IngestPipeline</c>), and its health as the supervisor sees it. State is written by the
/// supervisor's run loop for this feed and read by any thread (<c>/readyz</c>, metrics, tests).
/// </summary>
public sealed class SupervisedFeed
{
    private readonly SupervisedTickWriter _writer;
    private readonly TimeProvider _time;
    private int _state;
    private int _restarts;
    private int _failures;
    private Exception? _lastError;
    private long _nextRestartTicks;

    internal SupervisedFeed(IFeedAdapter adapter, SupervisedFeedOptions options, IReadOnlyList<int> instrumentIds, SupervisedTickWriter writer, TimeProvider time)
    {
        Adapter = adapter;
        Options = options;
        InstrumentIds = instrumentIds;
        _writer = writer;
        _time = time;
    }

    public string Name => Adapter.Name;

    public IFeedAdapter Adapter { get; }

    public SupervisedFeedOptions Options { get; }

    /// <summary>Catalog ids of the instruments this feed owns.</summary>
    public IReadOnlyList<int> InstrumentIds { get; }

    /// <summary>The feed's ingest channel: one reader (the ingest pipeline); completed when the supervisor stops.</summary>
    public ChannelReader<Tick> Reader => _writer.Reader;

    public SupervisedFeedState State
    {
        get => (SupervisedFeedState)Volatile.Read(ref _state);
        internal set => Volatile.Write(ref _state, (int)value);
    }

    /// <summary>Times the adapter was started again after failing.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <summary>Times the adapter failed.</summary>
    public int Failures => Volatile.Read(ref _failures);

    public Exception? LastError => Volatile.Read(ref _lastError);

    /// <summary>The delay before the pending restart (<see cref="SupervisedFeedState.Restarting"/>), else zero.</summary>
    public TimeSpan NextRestartDelay => TimeSpan.FromTicks(Volatile.Read(ref _nextRestartTicks));

    /// <summary>Ticks the full channel dropped (<see cref="FeedOverflowMode.DropOldest"/> only).</summary>
    public long DroppedTicks => _writer.Dropped;

    /// <summary>Dropped trades (quotes and book levels are re-sent with their newest value; a trade cannot be).</summary>
    public long LostTrades => _writer.LostTrades;

    /// <summary>Quotes and book levels re-sent after drops.</summary>
    public long RepairedTicks => _writer.Repairs;

    /// <summary>Quotes and book levels a drop took away that are still to be re-sent (they go once the channel has room).</summary>
    public int PendingRepairs => _writer.PendingRepairs;

    /// <summary>
    /// Running, and it delivered an update within <see cref="SupervisedFeedOptions.StaleAfter"/>. A feed that just
    /// (re)started is not live until its first update.
    /// </summary>
    public bool IsLive
    {
        get
        {
            long last = _writer.LastFeedUpdate;
            return State == SupervisedFeedState.Running && last != 0 && _time.GetElapsedTime(last) <= Options.StaleAfter;
        }
    }

    /// <summary>The state subscribers were last told for an instrument of this feed (null: unknown after a drop).</summary>
    public FeedState? GetAnnouncedState(int instrumentId) => _writer.GetAnnounced(instrumentId);

    internal SupervisedTickWriter Writer => _writer;

    internal void OnFailure(Exception error)
    {
        Volatile.Write(ref _lastError, error);
        Interlocked.Increment(ref _failures);
    }

    internal void OnRestart() => Interlocked.Increment(ref _restarts);

    internal void SetNextRestartDelay(TimeSpan delay) => Volatile.Write(ref _nextRestartTicks, delay.Ticks);

    public override string ToString() => $"{Name} ({State})";
}
