using MarketPush.Engine.Sessions;

namespace MarketPush.Engine.Tests.Routing;

public sealed class CommandLimiterTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2025, 11, 22, 14, 30, 0, TimeSpan.Zero));

    [Fact]
    public void BadCommandLimiter_AllowsTwentyErrorsInTenSeconds_AndTripsOnTheTwentyFirst()
    {
        var limiter = new BadCommandLimiter(20, TimeSpan.FromSeconds(10), _clock);

        for (int i = 0; i < 20; i++)
        {
            Assert.False(limiter.RecordError(), $"error {i + 1}");
            _clock.Advance(TimeSpan.FromMilliseconds(400));
        }

        Assert.True(limiter.RecordError());
    }

    [Fact]
    public void BadCommandLimiter_ErrorsSpreadOverMoreThanTheWindow_NeverTrip()
    {
        var limiter = new BadCommandLimiter(20, TimeSpan.FromSeconds(10), _clock);

        for (int i = 0; i < 200; i++)
        {
            Assert.False(limiter.RecordError(), $"error {i + 1}");
            _clock.Advance(TimeSpan.FromMilliseconds(501)); // 20 errors span 10.02 s
        }

        Assert.Equal(200, limiter.Count);
    }

    [Fact]
    public void BadCommandLimiter_ABurstAfterAQuietPeriod_TripsOnlyWhenTheBurstItselfIsTooLong()
    {
        var limiter = new BadCommandLimiter(3, TimeSpan.FromSeconds(1), _clock);
        Assert.False(limiter.RecordError());
        Assert.False(limiter.RecordError());
        _clock.Advance(TimeSpan.FromMilliseconds(5_000));

        Assert.False(limiter.RecordError());
        Assert.False(limiter.RecordError());
        Assert.False(limiter.RecordError());
        Assert.True(limiter.RecordError());
    }

    [Fact]
    public void CommandRateLimiter_AllowsTheBurst_ThenTheSustainedRate()
    {
        var limiter = new CommandRateLimiter(ratePerSecond: 10, burst: 5, _clock);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(limiter.TryAcquire());
        }

        Assert.False(limiter.TryAcquire());
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(limiter.TryAcquire());
        Assert.False(limiter.TryAcquire());

        _clock.Advance(TimeSpan.FromMilliseconds(60_000)); // refills to the burst, not beyond
        int allowed = 0;
        while (limiter.TryAcquire())
        {
            allowed++;
        }

        Assert.Equal(5, allowed);
    }
}
