namespace MarketPush.Engine.Tests.Routing;

/// <summary>A clock for routing and conflation tests: stands still until told to move; timestamps in microseconds.</summary>
internal sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = new(2025, 11, 22, 14, 30, 0, TimeSpan.Zero);
    private long _timestamp = 5_000_000_000;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _timestamp;

    public override long TimestampFrequency => 1_000_000;

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += (long)(by.TotalSeconds * TimestampFrequency);
    }

    public void AdvanceMilliseconds(double milliseconds) => Advance(TimeSpan.FromMilliseconds(milliseconds));
}
