namespace MarketPush.Engine.Metrics;

/// <summary>
/// The aggregate of one label set of one instrument: a running value, or histogram buckets and sum. Created under
/// its family's lock, then updated lock-free by any recording thread (interlocked) and read by the scraping thread.
/// </summary>
internal sealed class MetricSeries
{
    // Sum and last-value instruments use whichever of the two matches the instrument's measurement type, so one
    // field is always zero and the exported value is their sum. Keeping long measurements in a long means a counter
    // increment is one Interlocked.Add rather than a compare-exchange loop on a double.
    public long LongValue;
    public double DoubleValue;

    public double HistogramSum;

    // Observable instruments: the collect generation this series was last observed in; series not observed in the
    // current scrape (a feed that went away) are not written.
    public int ObservedGeneration;

    public MetricSeries(KeyValuePair<string, object?>[] tags, PrometheusLabel[] labels, int bucketCount)
    {
        Tags = tags;
        Labels = labels;
        BucketCounts = bucketCount > 0 ? new long[bucketCount] : null;
    }

    /// <summary>The kept tags exactly as recorded (original keys), for matching later measurements.</summary>
    public KeyValuePair<string, object?>[] Tags { get; }

    /// <summary>The labels as exported.</summary>
    public PrometheusLabel[] Labels { get; }

    /// <summary>Per-bucket (not cumulative) counts, the last one being +Inf; null unless a histogram.</summary>
    public long[]? BucketCounts { get; }

    public double Value => Volatile.Read(ref LongValue) + Volatile.Read(ref DoubleValue);

    public void Reset()
    {
        Volatile.Write(ref LongValue, 0);
        Volatile.Write(ref DoubleValue, 0);
    }

    public void AddDouble(double value) => AddDouble(ref DoubleValue, value);

    /// <summary>Histogram observation: the first bucket whose upper bound is &gt;= the value (le is inclusive).</summary>
    public void Observe(double value, double[] upperBounds)
    {
        int low = 0;
        int high = upperBounds.Length;
        while (low < high)
        {
            int mid = (low + high) >>> 1;
            if (upperBounds[mid] < value)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        Interlocked.Increment(ref BucketCounts![low]);
        AddDouble(ref HistogramSum, value);
    }

    private static void AddDouble(ref double location, double value)
    {
        double current = Volatile.Read(ref location);
        while (true)
        {
            double seen = Interlocked.CompareExchange(ref location, current + value, current);
            // Compare bits, not values: NaN != NaN would otherwise loop forever once the sum is NaN.
            if (BitConverter.DoubleToInt64Bits(seen) == BitConverter.DoubleToInt64Bits(current))
            {
                return;
            }

            current = seen;
        }
    }
}
