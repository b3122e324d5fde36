using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Tests;

public sealed class ProcessSamplerTests
{
    [Fact]
    public void ParseCpuSeconds_AddsUserAndSystemTime_EvenWhenTheNameHasSpacesAndParentheses()
    {
        // Fields 14 and 15 (utime, stime) are 250 and 50 ticks.
        const string stat = "4242 (odd) name (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 500 1000000 2000 18446744073709551615";

        Assert.Equal(3.0, ProcessSampler.ParseCpuSeconds(stat, ticksPerSecond: 100), 6);
    }

    [Fact]
    public void ParseRssBytes_ReadsVmRss_InKibibytes()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t  900000 kB\nVmRSS:\t   12345 kB\nThreads:\t12\n";

        Assert.Equal(12345L * 1024, ProcessSampler.ParseRssBytes(status));
        Assert.Equal(0, ProcessSampler.ParseRssBytes("Name:\tzombie\n"));
    }

    [Fact]
    public void TrySample_MeasuresThisProcess_AndNothingForAMissingOne()
    {
        ProcessSample? self = new ProcessSampler(Environment.ProcessId).TrySample();

        Assert.NotNull(self);
        Assert.True(self.Value.RssBytes > 1 << 20);
        Assert.True(self.Value.CpuSeconds > 0);
        Assert.Null(new ProcessSampler(int.MaxValue).TrySample());
    }
}
