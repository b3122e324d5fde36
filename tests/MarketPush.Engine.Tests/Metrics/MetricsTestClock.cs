namespace MarketPush.Engine.Tests.Metrics;

// A clock the test moves by hand (feed staleness is measured on TimeProvider timestamps).
internal sealed class MetricsTestClock : TimeProvider
{
    private long _ticks = TimeSpan.FromHours(1).Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _ticks);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
}
