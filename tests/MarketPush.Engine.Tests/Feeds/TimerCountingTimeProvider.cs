using Microsoft.Extensions.Time.Testing;

namespace MarketPush.Engine.Tests.Feeds;

/// <summary>
/// <see cref="FakeTimeProvider"/> (time moves and timers fire only inside <c>Advance</c>, on the test's thread) that also
/// says how many of its timers are armed (and the period each was created with). FakeTimeProvider cannot tell that, and the tests need it twice: a supervisor
/// test must know the backoff <c>Task.Delay(…, time)</c> is armed before it advances past it (advancing earlier would
/// skip the delay it is testing), and the coarse clock and timer wheel tests assert that an idle component leaves no
/// timer armed. Each timer is FakeTimeProvider's own; this only watches <c>Change</c>, firing and <c>Dispose</c>.
/// </summary>
internal sealed class TimerCountingTimeProvider : FakeTimeProvider
{
    private readonly Lock _gate = new();
    private int _armed;

    public TimerCountingTimeProvider()
        : base(new DateTimeOffset(2025, 11, 21, 14, 30, 0, TimeSpan.Zero))
    {
    }

    /// <summary>Timers that will fire if time moves far enough (Task.Delay and periodic ones).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_gate)
            {
                return _armed;
            }
        }
    }

    /// <summary>The period each timer was created with, in creation order.</summary>
    public List<TimeSpan> CreatedPeriods { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        lock (_gate)
        {
            CreatedPeriods.Add(period);
        }

        var timer = new CountedTimer(this, callback, state);
        timer.Inner = base.CreateTimer(static s => ((CountedTimer)s!).Fire(), timer, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class CountedTimer(TimerCountingTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private bool _armed;
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public void Fire()
        {
            lock (owner._gate)
            {
                // A one-shot timer is spent before its callback runs, so a callback that re-arms it counts once.
                if (_armed && !_periodic)
                {
                    _armed = false;
                    owner._armed--;
                }
            }

            callback(state);
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                bool armed = dueTime != Timeout.InfiniteTimeSpan;
                owner._armed += (armed ? 1 : 0) - (_armed ? 1 : 0);
                _armed = armed;
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            }

            return Inner.Change(dueTime, period);
        }

        public void Dispose()
        {
            lock (owner._gate)
            {
                if (_armed)
                {
                    _armed = false;
                    owner._armed--;
                }
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
