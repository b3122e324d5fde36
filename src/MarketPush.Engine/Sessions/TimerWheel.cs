using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// The one scheduler behind every subscription's <c>maxRate</c>: a hashed timer wheel ticked by one loop every
/// <see cref="Resolution"/>, instead of a timer per subscription. A rate-limited subscription that holds a pending
/// value schedules itself for the moment its rate allows the next send; the wheel calls it back then.
/// </summary>
/// <remarks>
/// <para>
/// Threads: <see cref="Schedule"/> and <see cref="Cancel"/> from any thread (the router's ingest thread, command
/// handlers); <see cref="Tick"/> from one thread at a time (the wheel's own loop, or a test with a manual clock).
/// Callbacks run outside the wheel's lock, so an entry may take its session's lock and reschedule itself; the lock
/// order is always "session, then wheel", never the reverse.
/// </para>
/// <para>
/// Slots are one resolution wide; an entry goes into the slot of the first tick at or after its due time, and a tick
/// fires only the entries of its slot whose due time has passed (later "rounds" of the wheel stay). So an entry fires
/// at most one resolution late, and never early. Owns nothing but the links it threads through its entries.
/// </para>
/// </remarks>
public sealed class TimerWheel : IAsyncDisposable
{
    /// <summary>5 ms: small against the 1/maxRate promise of any sensible rate, and only 200 wake-ups a second.</summary>
    public static readonly TimeSpan DefaultResolution = TimeSpan.FromMilliseconds(5);

    private const int SlotCount = 512;

    private readonly Lock _lock = new();
    private readonly TimerWheelEntry?[] _slots = new TimerWheelEntry?[SlotCount];
    // Reused by Tick to call entries back outside the lock; only grows, so steady ticking allocates nothing.
    private readonly List<TimerWheelEntry> _due = [];
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _resolutionTicks;
    private readonly CancellationTokenSource _stop = new();
    private long _currentTick;
    private int _count;
    private int _disposed;
    private Task _loop = Task.CompletedTask;

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

    /// <summary>Starts the ticking loop (idempotent). Tests that drive <see cref="Tick"/> themselves do not call it.</summary>
    public void Start()
    {
        lock (_lock)
        {
            if (_loop.IsCompleted && Volatile.Read(ref _disposed) == 0)
            {
                _loop = RunAsync();
            }
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

    /// <summary>Stops the ticking loop and waits for it. Idempotent.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
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

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(Resolution, _time);
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            Tick();
        }
    }
}
