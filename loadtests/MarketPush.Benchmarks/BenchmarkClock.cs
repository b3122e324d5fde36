namespace MarketPush.Benchmarks;

/// <summary>
/// A clock the benchmark moves by hand, so time-driven paths (maxRate spacing, the timer wheel) do the same work on
/// every run however fast the machine is. Reading it allocates nothing; only the benchmark thread advances it.
/// </summary>
internal sealed class BenchmarkClock : TimeProvider
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 1, 14, 30, 0, TimeSpan.Zero);
    private long _timestamp = 1_000_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _timestamp);

    public override DateTimeOffset GetUtcNow() => s_start.AddTicks(Volatile.Read(ref _timestamp));

    public void Advance(TimeSpan by) => Volatile.Write(ref _timestamp, _timestamp + by.Ticks);
}
