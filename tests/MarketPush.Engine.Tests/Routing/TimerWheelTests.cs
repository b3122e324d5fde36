using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Feeds;

namespace MarketPush.Engine.Tests.Routing;

public sealed class TimerWheelTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 11, 22, 14, 30, 0, TimeSpan.Zero));

    /// <summary>A span in the clock's timestamp units (FakeTimeProvider's are TimeSpan ticks).</summary>
    private long Ms(double milliseconds) => (long)(milliseconds * _clock.TimestampFrequency / 1000);

    [Fact]
    public void Entry_FiresNotBeforeItsDueTime_AndAtMostOneResolutionLate()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var entry = new RecordingEntry();
        long due = _clock.GetTimestamp() + Ms(12.345);

        wheel.Schedule(entry, due);
        var firedAt = new List<long>();
        for (int i = 0; i < 40; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(0.5));
            wheel.Tick();
            if (entry.Fired.Count > 0 && firedAt.Count == 0)
            {
                firedAt.Add(_clock.GetTimestamp());
            }
        }

        long fired = Assert.Single(firedAt);
        Assert.InRange(fired, due, due + Ms(5));
        Assert.Single(entry.Fired);
        Assert.False(entry.IsScheduled);
    }

    [Fact]
    public void Cancel_KeepsAnEntryFromFiring()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var entry = new RecordingEntry();
        wheel.Schedule(entry, _clock.GetTimestamp() + Ms(1));

        Assert.True(wheel.Cancel(entry));
        Assert.False(wheel.Cancel(entry));
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        wheel.Tick();

        Assert.Empty(entry.Fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void Schedule_AgainMovesTheEntry_ItFiresOnceAtTheNewTime()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var entry = new RecordingEntry();
        long start = _clock.GetTimestamp();
        wheel.Schedule(entry, start + Ms(10));
        wheel.Schedule(entry, start + Ms(30));

        _clock.Advance(TimeSpan.FromMilliseconds(20));
        wheel.Tick();
        Assert.Empty(entry.Fired);
        _clock.Advance(TimeSpan.FromMilliseconds(15));
        wheel.Tick();

        Assert.Single(entry.Fired);
        Assert.Equal(0, wheel.Count);
    }

    [Fact]
    public void DueTimesBeyondOneTurnOfTheWheel_WaitForTheirRound()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var far = new RecordingEntry();
        var near = new RecordingEntry();
        long start = _clock.GetTimestamp();
        wheel.Schedule(far, start + Ms(10_000)); // 10 s: many turns of a 512 × 5 ms wheel
        wheel.Schedule(near, start + Ms(10));

        for (int i = 0; i < 1_999; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(5));
            wheel.Tick();
        }

        Assert.Single(near.Fired);
        Assert.Empty(far.Fired);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        wheel.Tick();
        Assert.Single(far.Fired);
    }

    [Fact]
    public void MissedTicks_AreCaughtUp_AndADueTimeInThePastFiresOnTheNextTick()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var late = new RecordingEntry();
        var past = new RecordingEntry();
        wheel.Schedule(late, _clock.GetTimestamp() + Ms(20));

        _clock.Advance(TimeSpan.FromMilliseconds(100)); // the loop did not run for 20 ticks
        wheel.Tick();
        Assert.Single(late.Fired);

        wheel.Schedule(past, _clock.GetTimestamp() - Ms(50));
        _clock.Advance(TimeSpan.FromMilliseconds(5));
        wheel.Tick();
        Assert.Single(past.Fired);
    }

    [Fact]
    public void EntryRescheduledFromItsOwnCallback_FiresAgainLater()
    {
        var wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        var entry = new RecordingEntry { Wheel = wheel, RescheduleAfterTicks = Ms(20), Times = 3 };
        wheel.Schedule(entry, _clock.GetTimestamp() + Ms(1));

        for (int i = 0; i < 100; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(1));
            wheel.Tick();
        }

        Assert.Equal(3, entry.Fired.Count);
    }

    [Fact]
    public async Task Start_TicksOnItsOwn_WithTheRealClock()
    {
        await using var wheel = new TimerWheel(TimeProvider.System, TimeSpan.FromMilliseconds(5));
        var entry = new RecordingEntry();
        wheel.Start();
        wheel.Schedule(entry, TimeProvider.System.GetTimestamp() + (TimeProvider.System.TimestampFrequency / 50));

        await entry.FirstFire.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Single(entry.Fired);
    }

    [Fact]
    public async Task StartedWheel_SetsItsTimerOnlyWhileEntriesWait()
    {
        // An idle server must not wake a thread 200 times a second for a wheel with nothing in it.
        var clock = new TimerCountingTimeProvider();
        await using var wheel = new TimerWheel(clock, TimeSpan.FromMilliseconds(5));
        wheel.Start();
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(wheel.IsTicking);
        Assert.Equal(0, clock.PendingTimers);
        Assert.Equal(0, wheel.TimerTicks);

        // FakeTimeProvider counts in TimeSpan ticks (100 ns), so timestamps here are TimeSpan ticks.
        var entry = new RecordingEntry { Wheel = wheel, RescheduleAfterTicks = TimeSpan.FromMilliseconds(20).Ticks, Times = 2 };
        wheel.Schedule(entry, clock.GetTimestamp() + TimeSpan.FromMilliseconds(12).Ticks);
        Assert.True(wheel.IsTicking);
        Assert.Equal(1, clock.PendingTimers);

        // FakeTimeProvider.Advance fires each due timer with the clock already at the end of the advance, so time moves
        // in 5 ms steps, as it would for a running wheel; one 100 ms jump would look like a stalled timer.
        for (int step = 0; step < 20; step++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(5));
        }

        Assert.Equal(2, entry.Fired.Count); // fired, rescheduled itself from the callback, fired again
        Assert.False(wheel.IsTicking);
        Assert.Equal(0, clock.PendingTimers);
        long ticksWhileBusy = wheel.TimerTicks;
        Assert.InRange(ticksWhileBusy, 2, 10); // ~7 ticks of 5 ms to cover 12 + 20 ms, not 20 for the whole 100 ms

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ticksWhileBusy, wheel.TimerTicks);
    }

    [Fact]
    public async Task StartedWheel_AfterALongIdleSpell_FiresAnEntryDueInThePastOnTheNextTick()
    {
        // Idle for longer than one turn of the wheel (512 × 5 ms): its idea of "now" is stale when the next entry comes.
        var clock = new TimerCountingTimeProvider();
        await using var wheel = new TimerWheel(clock, TimeSpan.FromMilliseconds(5));
        wheel.Start();
        clock.Advance(TimeSpan.FromSeconds(10));
        var past = new RecordingEntry();

        wheel.Schedule(past, clock.GetTimestamp() - TimeSpan.FromSeconds(3).Ticks);
        clock.Advance(TimeSpan.FromMilliseconds(5));

        Assert.Single(past.Fired);
        Assert.False(wheel.IsTicking);
    }

    [Fact]
    public async Task DisposedWheel_DoesNotSetItsTimerAgain()
    {
        var clock = new TimerCountingTimeProvider();
        var wheel = new TimerWheel(clock, TimeSpan.FromMilliseconds(5));
        wheel.Start();
        await wheel.DisposeAsync();

        wheel.Schedule(new RecordingEntry(), clock.GetTimestamp() + 1_000);

        Assert.False(wheel.IsTicking);
        Assert.Equal(0, clock.PendingTimers);
    }

    private sealed class RecordingEntry : TimerWheelEntry
    {
        public List<long> Fired { get; } = [];

        public TimerWheel? Wheel { get; init; }

        public long RescheduleAfterTicks { get; init; }

        public int Times { get; init; } = 1;

        /// <summary>Completed by the first <see cref="OnTimer"/>, so a test with a real clock awaits it instead of polling.</summary>
        public TaskCompletionSource FirstFire { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected internal override void OnTimer(long timestamp)
        {
            lock (Fired)
            {
                Fired.Add(timestamp);
            }

            FirstFire.TrySetResult();

            if (Wheel is not null && Fired.Count < Times)
            {
                Wheel.Schedule(this, timestamp + RescheduleAfterTicks);
            }
        }
    }
}
