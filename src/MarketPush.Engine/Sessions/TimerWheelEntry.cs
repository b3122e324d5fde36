namespace MarketPush.Engine.Sessions;

/// <summary>
/// Something a <see cref="TimerWheel"/> can hold. The wheel's links live in the entry itself (an intrusive list), so
/// scheduling and cancelling allocate nothing; an entry is in at most one slot at a time. The link fields belong to
/// the wheel and are only touched under its lock.
/// </summary>
public abstract class TimerWheelEntry
{
    internal TimerWheelEntry? WheelNext;
    internal TimerWheelEntry? WheelPrevious;
    internal long WheelDue;
    internal int WheelSlot = -1;

    /// <summary>True while the entry waits in a wheel slot (a hint: read without the wheel's lock).</summary>
    public bool IsScheduled => Volatile.Read(ref WheelSlot) >= 0;

    /// <summary>
    /// Called once the due time has passed, on the thread that runs <see cref="TimerWheel.Tick"/>, outside the wheel's
    /// lock (so the entry may take its own locks and reschedule itself). <paramref name="timestamp"/> is the tick's
    /// <see cref="TimeProvider.GetTimestamp"/>. The entry is no longer scheduled when this runs.
    /// </summary>
    protected internal abstract void OnTimer(long timestamp);
}
