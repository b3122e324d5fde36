using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Tests;

public sealed class TimelineAggregatorTests
{
    [Fact]
    public void ASecondCompletes_OnlyWhenEveryWorkerFlushedIt()
    {
        var timeline = new TimelineAggregator(workerCount: 2);
        var first = new LatencyHistogram();
        var second = new LatencyHistogram();
        first.Record(100);
        second.Record(300);
        var completed = new List<SecondSample>();

        timeline.Flush(0, first, quotes: 1, wireBytes: 50);
        timeline.TakeCompleted(completed);
        Assert.Empty(completed);

        timeline.Flush(0, second, quotes: 1, wireBytes: 70);
        timeline.TakeCompleted(completed);

        SecondSample sample = Assert.Single(completed);
        Assert.Equal(2, sample.Quotes);
        Assert.Equal(120, sample.WireBytes);
        Assert.Equal(300, sample.Latency.Max);
        Assert.Equal(100, sample.Latency.P50);
    }

    [Fact]
    public void TakeRemaining_ReturnsUnfinishedSeconds_InOrder()
    {
        var timeline = new TimelineAggregator(workerCount: 3);
        timeline.Flush(2, new LatencyHistogram(), 5, 0);
        timeline.Flush(1, new LatencyHistogram(), 4, 0);
        var remaining = new List<SecondSample>();

        timeline.TakeRemaining(remaining);

        Assert.Equal([1, 2], remaining.Select(s => s.Second));
        Assert.Equal([4L, 5L], remaining.Select(s => s.Quotes));
    }
}
