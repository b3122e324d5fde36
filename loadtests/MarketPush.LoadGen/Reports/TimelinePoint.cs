namespace MarketPush.LoadGen.Reports;

/// <summary>One second of the run: what the plots draw and the progress line printed.</summary>
public sealed record TimelinePoint
{
    public int Second { get; init; }

    public long Quotes { get; init; }

    public long WireBytes { get; init; }

    public long P50Micros { get; init; }

    public long P90Micros { get; init; }

    public long P99Micros { get; init; }

    public long MaxMicros { get; init; }

    public long Connections { get; init; }

    public double? ServerCpuPercent { get; init; }

    public double RunnerCpuPercent { get; init; }

    public long? ServerRssBytes { get; init; }
}
