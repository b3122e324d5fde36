using System.Diagnostics;
using System.Threading.Channels;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// The writer a supervised feed adapter gets instead of the ingest channel's own: it forwards every tick to the
/// feed's bounded channel and, on the way, keeps what supervision needs.
/// <list type="bullet">
/// <item>Staleness: the time of each instrument's last update, and the state last announced for it. A data tick for
/// an instrument announced <c>stale</c> (or <c>halted</c>) is preceded by a <c>status open</c> tick, so recovery
/// reaches subscribers before the fresh value does. Status ticks written by the feed itself (a venue adapter that
/// lost its connection) count as announcements.</item>
/// <item>Overflow: the channel (an <see cref="IngestChannel"/>, opened by the supervisor in the feed's
/// <see cref="FeedOverflowMode"/>) reports each tick a full drop-mode channel discarded; in
/// <see cref="FeedOverflowMode.DropOldest"/> the writer counts each drop and remembers the book levels
/// and quotes it took away; the writer keeps the feed's newest value of every level and quote, and re-sends the lost
/// ones (newest values, never the dropped ones) once the channel is at most half full and the feed is not in the
/// middle of a book update. A book then converges to exactly the feed's book.</item>
/// <item>Recording: each tick the feed wrote (not the supervisor's own status ticks) goes to the recorder.</item>
/// </list>
/// Threading: the feed's task writes; the supervisor's timer and restart loop announce states. Both go through one
/// lock, which is also what <see cref="IngestChannel.TryWrite(in Tick, out bool, out Tick)"/> requires of its writer. The lock is
/// uncontended on the feed's path except during a staleness check. No callback into foreign code runs under it.
/// Cost per tick: the lock, a read of the supervisor's <see cref="CoarseClock"/> (not the clock itself), and one
/// metrics call per 64 ticks (the timer reports the rest). Allocation per tick: none in
/// <see cref="FeedOverflowMode.Wait"/>; in drop mode, the level map's occasional growth.
/// </summary>
internal sealed class SupervisedTickWriter : ChannelWriter<Tick>
{
    private const byte Unannounced = byte.MaxValue;

    /// <summary>Received-update counts reach the metrics in batches of this many (and on every timer check).</summary>
    private const int MetricsBatch = 64;

    private readonly IngestChannel _channel;
    private readonly Lock _gate = new();
    private readonly CoarseClock _clock;
    private readonly FeedMetrics? _metrics;
    private readonly FeedRecorder? _recorder;
    private readonly int _capacity;
    private readonly long[] _lastUpdate;     // TimeProvider timestamp of each instrument's last data tick
    private readonly byte[] _announced;      // FeedState last written for each instrument, or Unannounced

    // DropOldest only: the feed's newest values, and what drops took away.
    private readonly Dictionary<(int Id, BookSide Side, long Price), long>? _levels;
    private readonly Tick[]? _lastQuote;
    private readonly bool[]? _hasQuote;
    private HashSet<(int Id, BookSide Side, long Price)>? _lostLevels;
    private HashSet<int>? _lostQuotes;
    private bool _repairPending;

    private bool _midRun;
    private bool _completed;
    private long _lostTrades;
    private long _repairs;
    private long _lastFeedUpdate;
    private int _unreported;
    private long _unreportedTimestamp;

    /// <param name="channel">The feed's ingest channel, opened in the feed's overflow mode; this writer is its only writer.</param>
    public SupervisedTickWriter(IngestChannel channel, int instrumentCount, CoarseClock clock, FeedMetrics? metrics, FeedRecorder? recorder)
    {
        _channel = channel;
        _clock = clock;
        _metrics = metrics;
        _recorder = recorder;
        _capacity = channel.Capacity;
        _lastUpdate = new long[instrumentCount];
        Array.Fill(_lastUpdate, clock.Refresh());
        _announced = new byte[instrumentCount]; // the cache starts every instrument Open
        if (channel.FullMode == BoundedChannelFullMode.DropOldest)
        {
            _levels = [];
            _lastQuote = new Tick[instrumentCount];
            _hasQuote = new bool[instrumentCount];
            _lostLevels = [];
            _lostQuotes = [];
        }

        metrics?.ObserveIngestDepth(() => channel.Count);
    }

    public ChannelReader<Tick> Reader => _channel.Reader;

    public long Dropped => _channel.Dropped; // the channel counts its own drops; one counter, not two

    public long LostTrades => Interlocked.Read(ref _lostTrades);

    /// <summary>Book levels and quotes re-sent after drops.</summary>
    public long Repairs => Interlocked.Read(ref _repairs);

    /// <summary>TimeProvider timestamp of the feed's last data tick, 0 when none since <see cref="ResetFeedActivity"/>.</summary>
    public long LastFeedUpdate => Volatile.Read(ref _lastFeedUpdate);

    public override bool TryWrite(Tick item)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return false;
            }

            int id = item.InstrumentId;
            bool known = (uint)id < (uint)_announced.Length;
            long now = _clock.Timestamp;
            if (item.Kind == TickKind.Status)
            {
                if (!Write(item))
                {
                    return false;
                }

                if (known)
                {
                    _announced[id] = (byte)item.State; // the feed's own word on this symbol
                }

                _recorder?.TryRecord(item);
                return true;
            }

            if (known && _announced[id] != (byte)FeedState.Open)
            {
                if (!Write(Tick.ForStatus(id, _clock.ToMicros(now), FeedState.Open)))
                {
                    return false; // the feed retries this tick, and the announcement with it
                }

                _announced[id] = (byte)FeedState.Open;
            }

            if (!Write(item))
            {
                return false;
            }

            if (known)
            {
                _lastUpdate[id] = now;
            }

            Volatile.Write(ref _lastFeedUpdate, now);
            _midRun = item.Kind == TickKind.BookLevel && !item.EndsBookUpdate;
            if (_levels is not null && known)
            {
                Remember(item);
            }

            _recorder?.TryRecord(item);
            _unreportedTimestamp = item.Timestamp;
            if (++_unreported == MetricsBatch)
            {
                ReportReceived(now);
            }

            if (_repairPending && !_midRun && _channel.Count <= _capacity / 2)
            {
                Repair(_clock.ToMicros(now));
            }

            return true;
        }
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _completed))
        {
            return ValueTask.FromResult(false);
        }

        return _channel.WaitToWriteAsync(cancellationToken);
    }

    /// <summary>Feeds do not complete the writer (IFeedAdapter's contract); the supervisor does, through <see cref="Complete"/>.</summary>
    public override bool TryComplete(Exception? error = null) => false;

    /// <summary>Ends the channel: ingest drains what is queued and stops. Later writes fail.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            _channel.Complete();
        }
    }

    /// <summary>Starts a new run: the feed has not delivered anything yet (<see cref="LastFeedUpdate"/> = 0).</summary>
    public void ResetFeedActivity() => Volatile.Write(ref _lastFeedUpdate, 0);

    /// <summary>
    /// Announces <c>stale</c> for every instrument in <paramref name="instrumentIds"/> that is overdue (no update for
    /// <paramref name="staleAfterTicks"/> timestamp units), or every one when <paramref name="feedDown"/>, and
    /// re-announces <c>open</c> where a dropped status tick left the state unknown. Returns false when the channel
    /// was too full to take them all (the next check retries).
    /// </summary>
    public bool AnnounceStaleness(IReadOnlyList<int> instrumentIds, long staleAfterTicks, bool feedDown)
    {
        lock (_gate)
        {
            if (_completed)
            {
                return true;
            }

            long now = _clock.Timestamp;
            long nowMicros = _clock.ToMicros(now);
            ReportReceived(now);
            for (int i = 0; i < instrumentIds.Count; i++)
            {
                int id = instrumentIds[i];
                bool overdue = feedDown || now - _lastUpdate[id] > staleAfterTicks;
                FeedState wanted;
                if (overdue)
                {
                    wanted = FeedState.Stale;
                }
                else if (_announced[id] == Unannounced)
                {
                    wanted = FeedState.Open;
                }
                else
                {
                    continue;
                }

                if (_announced[id] == (byte)wanted)
                {
                    continue;
                }

                if (!Write(Tick.ForStatus(id, nowMicros, wanted)))
                {
                    return false;
                }

                _announced[id] = (byte)wanted;
            }

            return true;
        }
    }

    /// <summary>The state last announced for an instrument (null when a drop took the announcement away).</summary>
    public FeedState? GetAnnounced(int instrumentId)
    {
        lock (_gate)
        {
            byte state = _announced[instrumentId];
            return state == Unannounced ? null : (FeedState)state;
        }
    }

    /// <summary>Hands the batched received-update count to the metrics, with the lag of the newest. Under <see cref="_gate"/>.</summary>
    private void ReportReceived(long now)
    {
        if (_unreported > 0)
        {
            _metrics?.UpdatesReceived(_unreported, (_clock.ToMicros(now) - _unreportedTimestamp) / 1_000_000.0);
            _unreported = 0;
        }
    }

    /// <summary>Drop mode: keeps the feed's newest quote and level sizes (what a repair re-sends).</summary>
    private void Remember(in Tick tick)
    {
        Debug.Assert(_levels is not null && _lastQuote is not null && _hasQuote is not null);
        switch (tick.Kind)
        {
            case TickKind.Quote:
                _lastQuote[tick.InstrumentId] = tick;
                _hasQuote[tick.InstrumentId] = true;
                break;
            case TickKind.BookLevel:
                var key = (tick.InstrumentId, tick.BookSide, tick.Level.Price);
                if (tick.Level.Size == 0)
                {
                    _levels.Remove(key);
                }
                else
                {
                    _levels[key] = tick.Level.Size;
                }

                break;
        }
    }

    /// <summary>Every write to the channel: under <see cref="_gate"/>, on the writing thread; a drop is accounted at once.</summary>
    private bool Write(in Tick tick)
    {
        bool written = _channel.TryWrite(tick, out bool dropped, out Tick oldest);
        if (dropped)
        {
            OnDropped(oldest);
        }

        return written;
    }

    /// <summary>A tick the full drop-mode channel discarded to take a write. Under <see cref="_gate"/>.</summary>
    private void OnDropped(in Tick dropped)
    {
        _metrics?.IngestDropped();
        int id = dropped.InstrumentId;
        if ((uint)id >= (uint)_announced.Length)
        {
            return;
        }

        switch (dropped.Kind)
        {
            case TickKind.BookLevel:
                _lostLevels!.Add((id, dropped.BookSide, dropped.Level.Price));
                _repairPending = true;
                break;
            case TickKind.Quote:
                _lostQuotes!.Add(id);
                _repairPending = true;
                break;
            case TickKind.Status:
                _announced[id] = Unannounced; // subscribers never saw it: announce again
                break;
            default:
                Interlocked.Increment(ref _lostTrades);
                break;
        }
    }

    /// <summary>Book levels and quotes waiting to be re-sent (drop mode).</summary>
    public int PendingRepairs
    {
        get
        {
            lock (_gate)
            {
                return (_lostLevels?.Count ?? 0) + (_lostQuotes?.Count ?? 0);
            }
        }
    }

    /// <summary>Runs a pending repair if the channel has room (the supervisor's periodic check, for a feed that went quiet).</summary>
    public void RepairIfDue()
    {
        lock (_gate)
        {
            if (_repairPending && !_completed && !_midRun && _channel.Count <= _capacity / 2)
            {
                Repair(_clock.ToMicros(_clock.Timestamp));
            }
        }
    }

    /// <summary>
    /// Re-sends the newest value of the quotes and book levels drops took away: the quotes as they are, the levels as
    /// one book update per instrument (size 0 for a level the feed has removed since). At most as many ticks as the
    /// channel has room for, so a repair never drops its own head; the rest waits for the next round. Under <see cref="_gate"/>.
    /// </summary>
    private void Repair(long nowMicros)
    {
        int budget = _capacity - _channel.Count;
        HashSet<(int Id, BookSide Side, long Price)> levels = _lostLevels!;
        HashSet<int> quotes = _lostQuotes!;
        _lostLevels = [];   // drops during the repair land in fresh sets
        _lostQuotes = [];
        _repairPending = false;

        foreach (int id in quotes)
        {
            if (budget == 0)
            {
                _lostQuotes.Add(id);
                _repairPending = true;
            }
            else if (_hasQuote![id])
            {
                Write(_lastQuote![id]);
                Interlocked.Increment(ref _repairs);
                budget--;
            }
        }

        if (levels.Count == 0)
        {
            return;
        }

        var ordered = new List<(int Id, BookSide Side, long Price)>(levels);
        ordered.Sort();
        for (int i = 0; i < ordered.Count; i++)
        {
            (int id, BookSide side, long price) = ordered[i];
            if (budget == 0)
            {
                _lostLevels.Add(ordered[i]); // next round
                _repairPending = true;
                continue;
            }

            budget--;
            bool last = budget == 0 || i == ordered.Count - 1 || ordered[i + 1].Id != id;
            long size = _levels!.GetValueOrDefault((id, side, price));
            Write(Tick.ForBookLevel(id, nowMicros, side, price, size, last));
            Interlocked.Increment(ref _repairs);
        }
    }
}
