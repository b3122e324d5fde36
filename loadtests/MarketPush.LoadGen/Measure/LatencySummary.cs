namespace MarketPush.LoadGen.Measure;

/// <summary>
/// Percentiles of one <see cref="LatencyHistogram"/>, in the histogram's unit (microseconds for latencies). Written
/// into the JSON result and read back by the bench summary; immutable once built.
/// </summary>
public sealed record LatencySummary
{
    public long Count { get; init; }

    public long Min { get; init; }

    public long P50 { get; init; }

    public long P90 { get; init; }

    public long P99 { get; init; }

    public long P999 { get; init; }

    public long Max { get; init; }

    public double Mean { get; init; }
}
