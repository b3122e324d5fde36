using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Routing;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>The slow-consumer clock: full for the whole limit without a completed write means overdue, and only then.</summary>
public sealed class SlowConsumerDeadlineTests : ISlowConsumerDeadlineHandler
{
    private const long LimitTicks = TimeSpan.TicksPerSecond; // 1 s in FakeTimeProvider timestamp units (TimeSpan ticks)

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 11, 22, 14, 30, 0, TimeSpan.Zero));
    private readonly TimerWheel _wheel;
    private readonly List<long> _due = [];
    private readonly SlowConsumerDeadline _deadline;

    public SlowConsumerDeadlineTests()
    {
        _wheel = new TimerWheel(_clock, TimeSpan.FromMilliseconds(5));
        _deadline = new SlowConsumerDeadline(_wheel, LimitTicks, this);
    }

    [Fact]
    public void Started_IsOverdueOnceTheLimitPassed_AndTheWheelCallsTheOwnerThen()
    {
        _deadline.Start(_clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(990));
        _wheel.Tick();
        Assert.Empty(_due);
        Assert.False(_deadline.CheckExpired(_clock.GetTimestamp(), rearm: false));

        _clock.Advance(TimeSpan.FromMilliseconds(20));
        _wheel.Tick();

        Assert.Single(_due);
        Assert.True(_deadline.CheckExpired(_clock.GetTimestamp(), rearm: false));
        Assert.True(_deadline.Expired);
        Assert.False(_deadline.CheckExpired(_clock.GetTimestamp(), rearm: false)); // once only
    }

    [Fact]
    public void CompletedWrite_RestartsTheStretch_SoTheFirstDeadlineOnlyRearmsTheWheel()
    {
        _deadline.Start(_clock.GetTimestamp());
        _clock.Advance(TimeSpan.FromMilliseconds(600));
        _deadline.Restart(_clock.GetTimestamp()); // a write completed
        _clock.Advance(TimeSpan.FromMilliseconds(500));
        _wheel.Tick();

        long first = Assert.Single(_due);
        Assert.False(_deadline.CheckExpired(first, rearm: true)); // 0.5 s since the write: not yet, wheel re-armed
        Assert.Equal(1, _wheel.Count);

        _clock.Advance(TimeSpan.FromMilliseconds(510));
        _wheel.Tick();
        Assert.Equal(2, _due.Count);
        Assert.True(_deadline.CheckExpired(_due[1], rearm: true));
    }

    [Fact]
    public void Stopped_IsNeverOverdue_AndAStartWhileRunningKeepsTheFirstStart()
    {
        long start = _clock.GetTimestamp();
        _deadline.Start(start);
        _clock.Advance(TimeSpan.FromMilliseconds(700));
        _deadline.Start(_clock.GetTimestamp()); // a second refusal does not move the clock
        _clock.Advance(TimeSpan.FromMilliseconds(400));
        Assert.True(_deadline.IsRunning);
        _deadline.Stop();

        Assert.False(_deadline.CheckExpired(_clock.GetTimestamp(), rearm: false));
        _deadline.Start(_clock.GetTimestamp()); // a new stretch after nothing waited
        _clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(_deadline.CheckExpired(_clock.GetTimestamp(), rearm: false));
        _deadline.Cancel();
        Assert.Equal(0, _wheel.Count);
    }

    void ISlowConsumerDeadlineHandler.OnDeadline(long timestamp) => _due.Add(timestamp);
}
