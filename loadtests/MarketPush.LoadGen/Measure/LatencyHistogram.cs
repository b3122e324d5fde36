using System.Numerics;

namespace MarketPush.LoadGen.Measure;

/// <summary>
/// A log-bucketed histogram of non-negative integers (the runner records microseconds), in the spirit of
/// HdrHistogram: values below 256 are counted exactly, and each power of two above that is split into 128 linear
/// sub-buckets, so any recorded value is reported within 1/128 (0.78%) of itself, from 1 µs to days, in 4.5 K
/// counters (36 KiB). Recording is an index computation and one increment: no allocation, no branch on the range.
/// Threading: one writer (an I/O worker records its own messages); merged by the runner after the writers stopped,
/// or under <see cref="TimelineAggregator"/>'s lock for the per-second series.
/// </summary>
/// <remarks>
/// Index layout: v &lt; 256 → index v. Otherwise, with m the position of v's top bit (m ≥ 8) and shift = m − 7,
/// v &gt;&gt; shift lies in [128, 256) and index = (shift &lt;&lt; 7) + (v &gt;&gt; shift), which continues the exact range
/// without gaps: [256, 512) maps to 256..383, [512, 1024) to 384..511, and so on.
/// </remarks>
internal sealed class LatencyHistogram
{
    private const int SubBucketBits = 7;
    private const int SubBucketCount = 1 << SubBucketBits; // 128 per power of two
    private const int ExactLimit = SubBucketCount * 2;      // 256
    private const int MaxBit = 42;                          // 2^43 µs is over 100 days; larger values are clamped

    /// <summary>Largest value recorded without clamping.</summary>
    public const long MaxTrackableValue = (1L << (MaxBit + 1)) - 1;

    private readonly long[] _counts = new long[((MaxBit - SubBucketBits + 1) << SubBucketBits) + SubBucketCount];
    private long _count;
    private long _sum;
    private long _min = long.MaxValue;
    private long _max;

    public long Count => _count;

    public long Min => _count == 0 ? 0 : _min;

    public long Max => _max;

    public double Mean => _count == 0 ? 0 : (double)_sum / _count;

    /// <summary>Counts one value; negative values (a clock step between feed and runner) count as 0.</summary>
    public void Record(long value)
    {
        if (value < 0)
        {
            value = 0;
        }
        else if (value > MaxTrackableValue)
        {
            value = MaxTrackableValue;
        }

        _counts[GetIndex(value)]++;
        _count++;
        _sum += value;
        if (value < _min)
        {
            _min = value;
        }

        if (value > _max)
        {
            _max = value;
        }
    }

    /// <summary>Adds every count of <paramref name="other"/> to this one.</summary>
    public void Add(LatencyHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._count == 0)
        {
            return;
        }

        long[] source = other._counts;
        for (int i = 0; i < source.Length; i++)
        {
            _counts[i] += source[i];
        }

        _count += other._count;
        _sum += other._sum;
        _min = Math.Min(_min, other._min);
        _max = Math.Max(_max, other._max);
    }

    public void Reset()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Clear(_counts);
        _count = 0;
        _sum = 0;
        _min = long.MaxValue;
        _max = 0;
    }

    /// <summary>
    /// The value at or below which <paramref name="percentile"/> percent of the recorded values fall: the highest value
    /// equivalent to the bucket holding that rank (as HdrHistogram reports), never above the recorded maximum.
    /// 0 for an empty histogram; 100 gives the maximum.
    /// </summary>
    public long GetValueAtPercentile(double percentile)
    {
        if (_count == 0)
        {
            return 0;
        }

        if (percentile >= 100)
        {
            return _max;
        }

        // The rank of the value we want, 1-based: p99 of 1,000 values is the 990th smallest.
        long rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * _count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(GetHighestEquivalentValue(i), _max);
            }
        }

        return _max;
    }

    /// <summary>p50, p90, p99, p99.9, max, mean and count in one snapshot.</summary>
    public LatencySummary Summarize() => new()
    {
        Count = _count,
        Min = Min,
        P50 = GetValueAtPercentile(50),
        P90 = GetValueAtPercentile(90),
        P99 = GetValueAtPercentile(99),
        P999 = GetValueAtPercentile(99.9),
        Max = _max,
        Mean = Math.Round(Mean, 1),
    };

    internal static int GetIndex(long value)
    {
        if (value < ExactLimit)
        {
            return (int)value;
        }

        int topBit = 63 - BitOperations.LeadingZeroCount((ulong)value);
        int shift = topBit - SubBucketBits;
        return (shift << SubBucketBits) + (int)(value >> shift);
    }

    internal static long GetLowestEquivalentValue(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        int shift = (index >> SubBucketBits) - 1;
        long subBucket = (index & (SubBucketCount - 1)) | SubBucketCount;
        return subBucket << shift;
    }

    internal static long GetHighestEquivalentValue(int index)
    {
        if (index < ExactLimit)
        {
            return index;
        }

        int shift = (index >> SubBucketBits) - 1;
        return GetLowestEquivalentValue(index) + (1L << shift) - 1;
    }
}
