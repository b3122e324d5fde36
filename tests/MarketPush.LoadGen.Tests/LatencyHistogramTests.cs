using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Tests;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void Percentiles_AreExact_ForValuesBelow256()
    {
        var histogram = new LatencyHistogram();
        for (int v = 1; v <= 100; v++)
        {
            histogram.Record(v);
        }

        Assert.Equal(50, histogram.GetValueAtPercentile(50));
        Assert.Equal(90, histogram.GetValueAtPercentile(90));
        Assert.Equal(99, histogram.GetValueAtPercentile(99));
        Assert.Equal(100, histogram.GetValueAtPercentile(99.9));
        Assert.Equal(100, histogram.Max);
        Assert.Equal(1, histogram.Min);
        Assert.Equal(50.5, histogram.Mean, 3);
    }

    [Fact]
    public void Percentiles_AreWithinOnePercent_ForLargeValues()
    {
        var histogram = new LatencyHistogram();
        var random = new Random(7);
        long[] values = new long[100_000];
        for (int i = 0; i < values.Length; i++)
        {
            // Log-uniform from 1 µs to 100 s: every bucket width is exercised.
            values[i] = (long)Math.Pow(10, random.NextDouble() * 8);
            histogram.Record(values[i]);
        }

        Array.Sort(values);
        foreach (double percentile in (double[])[50, 90, 99, 99.9])
        {
            long exact = values[(int)Math.Ceiling(percentile / 100 * values.Length) - 1];
            long reported = histogram.GetValueAtPercentile(percentile);
            Assert.InRange(reported, exact, (long)(exact * 1.0079) + 1);
        }
    }

    [Fact]
    public void BucketIndex_CoversEveryValueOnce_AndGrowsWithTheValue()
    {
        int previous = -1;
        for (long v = 0; v < 1 << 20; v += 1 + (v >> 9))
        {
            int index = LatencyHistogram.GetIndex(v);
            Assert.True(index >= previous, $"index of {v} went down");
            Assert.InRange(v, LatencyHistogram.GetLowestEquivalentValue(index), LatencyHistogram.GetHighestEquivalentValue(index));
            previous = index;
        }

        // Neighbouring buckets touch: the top of one plus one is the bottom of the next.
        for (int index = 0; index < 2000; index++)
        {
            Assert.Equal(LatencyHistogram.GetHighestEquivalentValue(index) + 1, LatencyHistogram.GetLowestEquivalentValue(index + 1));
        }
    }

    [Fact]
    public void Record_CountsNegativeAsZero_AndClampsHugeValues()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(-5);
        histogram.Record(long.MaxValue);

        Assert.Equal(0, histogram.Min);
        Assert.Equal(LatencyHistogram.MaxTrackableValue, histogram.Max);
        Assert.Equal(2, histogram.Count);
    }

    [Fact]
    public void Add_MergesCountsAndExtremes_AndResetEmpties()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        a.Record(20);
        b.Record(5_000);

        a.Add(b);

        Assert.Equal(3, a.Count);
        Assert.Equal(10, a.Min);
        Assert.Equal(5_000, a.Max);
        Assert.Equal(20, a.GetValueAtPercentile(50));

        a.Reset();
        Assert.Equal(0, a.Count);
        Assert.Equal(0, a.GetValueAtPercentile(99));
        Assert.Equal(0, a.Summarize().Max);
    }

    [Fact]
    public void Summarize_NeverReportsAPercentileAboveTheMaximum()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_001); // inside a bucket ~8,000 wide

        LatencySummary summary = histogram.Summarize();

        Assert.Equal(1_000_001, summary.P50);
        Assert.Equal(1_000_001, summary.P999);
        Assert.Equal(1, summary.Count);
    }
}
