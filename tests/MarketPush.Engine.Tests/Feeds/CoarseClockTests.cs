using MarketPush.Engine.Feeds;

namespace MarketPush.Engine.Tests.Feeds;

public sealed class CoarseClockTests
{
    [Fact]
    public async Task Timestamp_StaysWithinOneResolution_WhileRead_AndItsTimerStopsWhenNobodyReads()
    {
        var time = new TimerCountingTimeProvider();
        await using var clock = new CoarseClock(time);
        clock.Start();
        Assert.False(clock.IsTicking);
        Assert.Equal(0, time.PendingTimers);

        // A feed delivering every 3 ms: each read is at most one resolution old, and the timer keeps running.
        long resolution = CoarseClock.Resolution.Ticks;
        for (int i = 0; i < 100; i++)
        {
            Assert.InRange(clock.Timestamp, time.GetTimestamp() - resolution, time.GetTimestamp());
            time.Advance(TimeSpan.FromMilliseconds(3));
        }

        Assert.True(clock.IsTicking);
        Assert.InRange(clock.TimerTicks, 25, 35); // 300 ms of reads: one refresh per 10 ms

        // The feed goes quiet: one more refresh finds nobody read it, and the timer stops.
        time.Advance(TimeSpan.FromMilliseconds(25));
        Assert.False(clock.IsTicking);
        Assert.Equal(0, time.PendingTimers);
        long ticks = clock.TimerTicks;
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(ticks, clock.TimerTicks);

        // The first read after the quiet spell is exact (it reads the clock) and starts the timer again.
        Assert.Equal(time.GetTimestamp(), clock.Timestamp);
        Assert.True(clock.IsTicking);
    }

    [Fact]
    public async Task BeforeStart_TimestampMovesOnlyOnRefresh()
    {
        var time = new TimerCountingTimeProvider();
        await using var clock = new CoarseClock(time);
        long start = clock.Timestamp;

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(start, clock.Timestamp);
        Assert.Equal(time.GetTimestamp(), clock.Refresh());
        Assert.Equal(time.GetTimestamp(), clock.Timestamp);
        Assert.Equal(0, time.PendingTimers);
    }
}
