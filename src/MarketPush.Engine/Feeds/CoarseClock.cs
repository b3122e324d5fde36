namespace MarketPush.Engine.Feeds;

/// <summary>
/// A timestamp refreshed by a timer every <see cref="Resolution"/> while feeds are delivering, so the per-tick path of
/// every supervised feed reads a field instead of the clock: on the project's KVM machines <c>Stopwatch.GetTimestamp</c>
/// cost about as much as a channel write plus read (measured 120–175 ns), and staleness and lag need only milliseconds.
/// Written by its own timer (and by <see cref="Refresh"/> callers: the supervisor's staleness check), read by every
/// feed task.
/// </summary>
/// <remarks>
/// The timer runs only while someone reads: a tick of the timer that finds no <see cref="Timestamp"/> read since the
/// previous one stops it, and the next read (a feed's first tick after a quiet spell) reads the clock itself and starts
/// it again. A busy feed thus still pays a field read per tick, and a quiet server (a low-rate feed, a replay that
/// ended, no feed) does not wake a thread 100 times a second to keep a value nobody looks at. Starting and stopping
/// happen under a lock together with the timer change, so "ticking" and "the timer is set" never disagree; the flag
/// that says "read since the last refresh" is a plain racy bool: losing one write at worst stops the timer one period
/// early, after which the next read is exact.
/// </remarks>
internal sealed class CoarseClock : IAsyncDisposable
{
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(10);

    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly long _startMicros;
    private readonly Lock _timerLock = new();
    private long _timestamp;
    private ITimer? _timer;
    private int _ticking;        // 1 while the timer is set (changed under _timerLock, read without it)
    private bool _readSinceTick; // a Timestamp read since the timer's last refresh
    private bool _disposed;
    private long _timerTicks;

    public CoarseClock(TimeProvider time)
    {
        _time = time;
        _startTimestamp = time.GetTimestamp();
        _startMicros = (time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        _timestamp = _startTimestamp;
    }

    /// <summary>
    /// TimeProvider timestamp, at most about <see cref="Resolution"/> old once <see cref="Start"/> was called (exact
    /// after a quiet spell). Before <see cref="Start"/>: the value of the last <see cref="Refresh"/>.
    /// </summary>
    public long Timestamp
    {
        get
        {
            if (Volatile.Read(ref _ticking) == 0)
            {
                return Wake();
            }

            if (!_readSinceTick)
            {
                _readSinceTick = true; // written only when it changes: the per-tick cost stays a read of a shared line
            }

            return Volatile.Read(ref _timestamp);
        }
    }

    /// <summary>True while the refresh timer is set (tests and diagnostics).</summary>
    public bool IsTicking => Volatile.Read(ref _ticking) != 0;

    /// <summary>Refreshes run by the timer so far (tests and diagnostics: a quiet clock adds none).</summary>
    public long TimerTicks => Interlocked.Read(ref _timerTicks);

    /// <summary>Lets the clock keep itself fresh with its timer from now on (the supervisor's start).</summary>
    public void Start()
    {
        lock (_timerLock)
        {
            if (_timer is null && !_disposed)
            {
                Refresh();
                _timer = _time.CreateTimer(static state => ((CoarseClock)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Reads the clock now (the timer's callback; also used where precision matters more than cost).</summary>
    public long Refresh()
    {
        long now = _time.GetTimestamp();
        Volatile.Write(ref _timestamp, now);
        return now;
    }

    /// <summary>Microseconds since the Unix epoch at <paramref name="timestamp"/> (PROTOCOL.md <c>ts</c> units).</summary>
    public long ToMicros(long timestamp) => _startMicros + (_time.GetElapsedTime(_startTimestamp, timestamp).Ticks / TimeSpan.TicksPerMicrosecond);

    public async ValueTask DisposeAsync()
    {
        ITimer? timer;
        lock (_timerLock)
        {
            _disposed = true;
            Volatile.Write(ref _ticking, 0);
            timer = _timer;
            _timer = null;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The first read after a quiet spell (or before the start): reads the clock and sets the timer again.</summary>
    private long Wake()
    {
        if (_timer is null)
        {
            return Volatile.Read(ref _timestamp); // not started (or stopped): only Refresh moves it
        }

        long now = Refresh();
        lock (_timerLock)
        {
            if (_ticking == 0 && _timer is not null)
            {
                _readSinceTick = false;
                _timer.Change(Resolution, Resolution);
                Volatile.Write(ref _ticking, 1);
            }
        }

        return now;
    }

    private void OnTimer()
    {
        Interlocked.Increment(ref _timerTicks);
        Refresh();
        lock (_timerLock)
        {
            if (_ticking == 0 || _timer is null)
            {
                return; // a late callback of a timer that was already stopped
            }

            if (_readSinceTick)
            {
                _readSinceTick = false;
                return;
            }

            // Nobody read the last refresh: stop until the next read needs the time.
            Volatile.Write(ref _ticking, 0);
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }
}
