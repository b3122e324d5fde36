using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// The one scheduler behind every subscription's <c>maxRate</c> (and the slow-consumer deadline): a hashed timer wheel
/// ticked every <see cref="Resolution"/> while it holds entries, instead of a timer per subscription. A rate-limited
/// subscription that holds a pending value schedules itself for the moment its rate allows the next send; the wheel
/// calls it back then.
/// </summary>
/// <remarks>
/// <para>
/// Threads: <see cref="Schedule"/> and <see cref="Cancel"/> from any thread (the router's ingest thread, command
/// handlers); <see cref="Tick"/> from one thread at a time (the wheel's own timer, or a test with a manual clock).
/// Callbacks run outside the wheel's lock, so an entry may take its session's lock and reschedule itself; the lock
/// order is always "session, then wheel", never the reverse.
/// </para>
/// <para>
/// Idle cost: once started, the wheel's timer is armed only while an entry waits. The schedule that makes the wheel
/// non-empty arms it, and a tick that leaves it empty does not re-arm it, so a server whose sessions hold nothing back
/// (the common case: no maxRate, or no update since the last send) wakes no thread at all for rates; 8,000 idle
/// connections used to cost 200 wake-ups a second here. The timer is one-shot and re-armed after each tick, so two
/// ticks never overlap. Arming and disarming happen under the wheel's lock, so "armed" and "the timer is set" never
/// disagree.
/// </para>
/// <para>
/// Slots are one resolution wide; an entry goes into the slot of the first tick at or after its due time, and a tick
/// fires only the entries of its slot whose due time has passed (later "rounds" of the wheel stay). So an entry fires
/// at most one resolution late (plus the timer's own lateness), and never early. Owns nothing but the links it threads
/// through its entries and its one timer.
/// </para>
/// </remarks>
public sealed class TimerWheel : IAsyncDisposable
{
    /// <summary>5 ms: small against the 1/maxRate promise of any sensible rate, and at most 200 wake-ups a second (only while entries wait).</summary>
    public static readonly TimeSpan DefaultResolution = TimeSpan.FromMilliseconds(5);

    private const int SlotCount = 512;

    private readonly Lock _lock = new();
    private readonly TimerWheelEntry?[] _slots = new TimerWheelEntry?[SlotCount];
    // Reused by Tick to call entries back outside the lock; only grows, so steady ticking allocates nothing.
    private readonly List<TimerWheelEntry> _due = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _resolutionTicks;
    private long _currentTick;
    private int _count;
    private ITimer? _timer;      // created by Start; null while a test drives Tick itself
    private bool _armed;         // the timer is set to fire (guarded by _lock, like every change of the timer)
    private bool _disposed;
    private long _timerTicks;

    public TimerWheel(TimeProvider? timeProvider = null, TimeSpan? resolution = null, ILogger? logger = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        Resolution = resolution ?? DefaultResolution;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Resolution, TimeSpan.Zero, nameof(resolution));
        _logger = logger ?? NullLogger.Instance;
        _resolutionTicks = Math.Max(1, (long)(Resolution.TotalSeconds * _time.TimestampFrequency));
        _currentTick = _time.GetTimestamp() / _resolutionTicks;
    }

    public TimeProvider Time => _time;

    public TimeSpan Resolution { get; }

    /// <summary>Entries waiting now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>True while the wheel's own timer is set to tick (started and holding entries).</summary>
    public bool IsTicking
    {
        get
        {
            lock (_lock)
            {
                return _armed;
            }
        }
    }

    /// <summary>Ticks run by the wheel's own timer so far (tests and diagnostics: an idle wheel adds none).</summary>
    public long TimerTicks => Interlocked.Read(ref _timerTicks);

    /// <summary>
    /// Lets the wheel tick itself from now on, whenever it holds entries (idempotent). Tests that drive
    /// <see cref="Tick"/> themselves do not call it.
    /// </summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_timer is not null || _disposed)
            {
                return;
            }

            _timer = _time.CreateTimer(static state => ((TimerWheel)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            ArmIfNeededLocked();
        }
    }

    /// <summary>
    /// Schedules <paramref name="entry"/> to fire once <see cref="TimeProvider.GetTimestamp"/> reaches
    /// <paramref name="dueTimestamp"/>; an entry already scheduled moves to the new time.
    /// </summary>
    public void Schedule(TimerWheelEntry entry, long dueTimestamp)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (entry.WheelSlot >= 0)
            {
                Unlink(entry);
            }

            if (_count == 0)
            {
                // The wheel may have been idle (no timer) for a long time: move its notion of "now" up first, so a due
                // time already past lands in the next tick's slot instead of one the catch-up window no longer scans.
                _currentTick = Math.Max(_currentTick, (_time.GetTimestamp() / _resolutionTicks) - 1);
            }

            // Ceiling: the entry's slot is the first tick at or after its due time, so it never fires early.
            long tick = (dueTimestamp + _resolutionTicks - 1) / _resolutionTicks;
            if (tick <= _currentTick)
            {
                tick = _currentTick + 1;
            }

            int slot = (int)(tick % SlotCount);
            entry.WheelDue = dueTimestamp;
            entry.WheelPrevious = null;
            entry.WheelNext = _slots[slot];
            if (entry.WheelNext is not null)
            {
                entry.WheelNext.WheelPrevious = entry;
            }

            _slots[slot] = entry;
            Volatile.Write(ref entry.WheelSlot, slot);
            _count++;
            ArmIfNeededLocked();
        }
    }

    /// <summary>Removes a scheduled entry; false when it was not scheduled (or is firing right now).</summary>
    public bool Cancel(TimerWheelEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            if (entry.WheelSlot < 0)
            {
                return false;
            }

            Unlink(entry);
            return true;
        }
    }

    /// <summary>
    /// Fires every entry whose due time has passed (one thread at a time). Catches up on the slots of ticks that were
    /// missed, at most one full turn of the wheel.
    /// </summary>
    public void Tick()
    {
        long now = _time.GetTimestamp();
        lock (_lock)
        {
            long target = now / _resolutionTicks;
            long from = Math.Max(_currentTick + 1, target - SlotCount + 1);
            for (long tick = from; tick <= target; tick++)
            {
                TimerWheelEntry? entry = _slots[(int)(tick % SlotCount)];
                while (entry is not null)
                {
                    TimerWheelEntry? next = entry.WheelNext;
                    if (entry.WheelDue <= now)
                    {
                        Unlink(entry);
                        _due.Add(entry);
                    }

                    entry = next;
                }
            }

            if (target > _currentTick)
            {
                _currentTick = target;
            }
        }

        try
        {
            foreach (TimerWheelEntry entry in _due)
            {
                try
                {
                    entry.OnTimer(now);
                }
                catch (Exception ex)
                {
                    // One broken entry must not stop the others' rates.
                    _logger.LogError(ex, "Timer wheel callback failed");
                }
            }
        }
        finally
        {
            _due.Clear();
        }
    }

    /// <summary>Stops the wheel's timer (waiting for a tick in progress). Entries still waiting never fire. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        ITimer? timer;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _armed = false;
            timer = _timer;
        }

        if (timer is not null)
        {
            await timer.DisposeAsync().ConfigureAwait(false);
        }
    }

    private void Unlink(TimerWheelEntry entry)
    {
        if (entry.WheelPrevious is not null)
        {
            entry.WheelPrevious.WheelNext = entry.WheelNext;
        }
        else
        {
            _slots[entry.WheelSlot] = entry.WheelNext;
        }

        if (entry.WheelNext is not null)
        {
            entry.WheelNext.WheelPrevious = entry.WheelPrevious;
        }

        entry.WheelNext = null;
        entry.WheelPrevious = null;
        Volatile.Write(ref entry.WheelSlot, -1);
        _count--;
    }

    /// <summary>Under <see cref="_lock"/>: sets the one-shot timer when the wheel may tick itself, holds entries and is not set yet.</summary>
    private void ArmIfNeededLocked()
    {
        if (!_armed && _count > 0 && _timer is not null && !_disposed)
        {
            _armed = true;
            _timer.Change(Resolution, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnTimer()
    {
        Interlocked.Increment(ref _timerTicks);
        try
        {
            Tick();
        }
        finally
        {
            lock (_lock)
            {
                // Re-armed only while entries wait; an empty wheel sleeps until the next Schedule arms it again.
                _armed = false;
                ArmIfNeededLocked();
            }
        }
    }
}
