using MarketPush.Engine.Feeds;

namespace MarketPush.Engine.Tests.Feeds;

public class SupervisorBackoffTests
{
    [Fact]
    public void Delays_DoubleUpToTheCap_EachWithinItsJitterBand()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5), jitter: 0.5, new Random(1));
        double[] ceilings = [250, 500, 1000, 2000, 4000, 5000, 5000];
        foreach (double ceiling in ceilings)
        {
            Assert.InRange(backoff.Next().TotalMilliseconds, ceiling / 2, ceiling);
        }

        Assert.Equal(ceilings.Length, backoff.Attempt);
    }

    [Fact]
    public void Jitter_SpreadsTheDelays_SoClientsDoNotReconnectInLockStep()
    {
        var delays = Enumerable.Range(0, 50)
            .Select(static seed => new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0.5, new Random(seed)).Next())
            .ToHashSet();

        Assert.True(delays.Count > 40);
        Assert.All(delays, static d => Assert.InRange(d.TotalMilliseconds, 500, 1000));
        Assert.Equal(TimeSpan.FromSeconds(1), new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), jitter: 0).Next());
    }

    [Fact]
    public void Reset_StartsAgainFromTheInitialDelay()
    {
        var backoff = new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), jitter: 0);
        backoff.Next();
        backoff.Next();
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.NextCeiling);

        backoff.Reset();

        Assert.Equal(TimeSpan.FromSeconds(1), backoff.Next());
    }
}
