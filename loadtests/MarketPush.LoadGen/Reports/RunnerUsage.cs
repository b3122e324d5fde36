namespace MarketPush.LoadGen.Reports;

/// <summary>The runner's own cost over the window: near 100% of its core means the client, not the server, was the limit.</summary>
public sealed record RunnerUsage
{
    public double CpuSeconds { get; init; }

    public double CpuPercent { get; init; }

    public double? CpuNanosPerMessage { get; init; }

    public int Threads { get; init; }

    public int ProcessorCount { get; init; }
}
