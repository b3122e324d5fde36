using System.Diagnostics;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// A session's slow-consumer clock: it starts when the session's <see cref="OutboundQueue"/> first refuses a market
/// update (values start waiting for space), restarts whenever the send loop completes a write (the client made
/// progress), stops when nothing waits any more, and is overdue once the queue has stayed full for
/// <see cref="SessionLimits.SlowConsumerMs"/> without a completed write; the owner then closes the session with 4001.
/// </summary>
/// <remarks>
/// Its own entry on the shared <see cref="TimerWheel"/>, due at the deadline, so a stuck session is closed even when
/// no update arrives to notice it; the wheel calls <see cref="OnTimer"/> on its thread, outside the wheel's lock, and
/// that hands the timestamp to the owner (<see cref="ConflatingDelivery"/>, through
/// <see cref="ISlowConsumerDeadlineHandler"/> rather than a delegate, so a session carries no extra 64 B object for
/// it), which decides under its own lock. Every
/// other member is called under the owner's lock (router, send loop and timer threads). Owns nothing but its wheel
/// entry; allocation-free.
/// </remarks>
internal sealed class SlowConsumerDeadline : TimerWheelEntry
{
    private readonly TimerWheel _wheel;
    private readonly ISlowConsumerDeadlineHandler _owner;
    private long _since;

    /// <param name="owner">Called by the wheel's thread when the deadline passes (no lock held); decides and closes.</param>
    public SlowConsumerDeadline(TimerWheel wheel, long limitTicks, ISlowConsumerDeadlineHandler owner)
    {
        ArgumentNullException.ThrowIfNull(wheel);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentOutOfRangeException.ThrowIfLessThan(limitTicks, 1);
        _wheel = wheel;
        LimitTicks = limitTicks;
        _owner = owner;
    }

    /// <summary>How long the queue may stay full without a completed write, in <see cref="TimeProvider"/> ticks.</summary>
    public long LimitTicks { get; }

    /// <summary>True while values wait for queue space: the clock runs.</summary>
    public bool IsRunning { get; private set; }

    /// <summary>True once the deadline passed and the session was closed for it: it never runs again.</summary>
    public bool Expired { get; private set; }

    /// <summary>The queue refused an update: starts the clock unless it already runs (the first refusal counts).</summary>
    public void Start(long now)
    {
        if (!IsRunning && !Expired)
        {
            IsRunning = true;
            _since = now;
            _wheel.Schedule(this, now + LimitTicks);
        }
    }

    /// <summary>A write completed: the consumer made progress, so the stretch starts again from now.</summary>
    public void Restart(long now)
    {
        if (IsRunning)
        {
            // The wheel entry stays at the older deadline; when it fires, OnDeadline sees the newer stretch and re-arms.
            _since = now;
        }
    }

    /// <summary>Nothing waits for queue space any more.</summary>
    public void Stop()
    {
        IsRunning = false;
    }

    /// <summary>Stops for good (the session ended) and takes the entry off the wheel.</summary>
    public void Cancel()
    {
        IsRunning = false;
        _wheel.Cancel(this);
    }

    /// <summary>
    /// True when the clock ran for the whole limit: marks the deadline expired (true once only; the caller closes the
    /// session). Otherwise, when the clock still runs, makes sure the wheel fires at the current stretch's deadline.
    /// </summary>
    public bool CheckExpired(long now, bool rearm)
    {
        if (!IsRunning || Expired)
        {
            return false;
        }

        if (now - _since >= LimitTicks)
        {
            Expired = true;
            IsRunning = false;
            return true;
        }

        if (rearm)
        {
            // A write completed since the deadline was set: the clock restarted then.
            _wheel.Schedule(this, _since + LimitTicks);
        }

        return false;
    }

    protected internal override void OnTimer(long timestamp)
    {
        Debug.Assert(!IsScheduled, "the wheel unlinks an entry before it calls it");
        _owner.OnDeadline(timestamp);
    }
}
