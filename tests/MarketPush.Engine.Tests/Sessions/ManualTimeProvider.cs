namespace MarketPush.Engine.Tests.Sessions;

/// <summary>A clock that stands still unless told to move.</summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private DateTimeOffset _now;
    private long _timestamp = 1_000_000;

    public ManualTimeProvider(DateTimeOffset now) => _now = now;

    public override DateTimeOffset GetUtcNow() => _now;

    public override long GetTimestamp() => _timestamp;

    public override long TimestampFrequency => 1_000; // one tick per millisecond keeps the arithmetic readable

    public void Advance(TimeSpan by)
    {
        _now += by;
        _timestamp += (long)by.TotalMilliseconds;
    }
}
