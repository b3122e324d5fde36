namespace MarketPush.LoadGen.Reports;

/// <summary>The figures the summary compares, each as a <see cref="Spread"/> over one contender's runs of one case.</summary>
internal sealed record CaseFigures
{
    public Spread? Delivered { get; init; }

    public Spread? ServerNanos { get; init; }

    public Spread? P50 { get; init; }

    public Spread? P99 { get; init; }

    public Spread? P999 { get; init; }

    public Spread? Max { get; init; }

    public Spread? Gaps { get; init; }

    public Spread? Closes { get; init; }

    public Spread? ServerCpu { get; init; }

    public Spread? RssPerConnection { get; init; }

    public Spread? CpuPerConnection { get; init; }

    public Spread? RunnerCpu { get; init; }

    /// <summary>Delta of <c>marketpush_compression_messages_total</c> (all label sets) when the server was scraped.</summary>
    public Spread? Compressions { get; init; }

    public static CaseFigures Of(IReadOnlyList<RunResult> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        bool hasLatency = runs.Any(r => r.LatencyMicros.Count > 0);

        // Idle runs deliver next to nothing: per-message CPU is noise there, per-connection CPU is the figure (G5).
        bool idle = runs.All(r => r.Scenario == "idle");
        return new CaseFigures
        {
            Delivered = Spread.Of(runs.Select(r => (double?)r.DeliveredPerSecond)),
            ServerNanos = idle ? null : Spread.Of(runs.Select(r => r.Server?.CpuNanosPerDelivered)),
            P50 = hasLatency ? Spread.Of(runs.Where(r => r.LatencyMicros.Count > 0).Select(r => (double?)r.LatencyMicros.P50)) : null,
            P99 = hasLatency ? Spread.Of(runs.Where(r => r.LatencyMicros.Count > 0).Select(r => (double?)r.LatencyMicros.P99)) : null,
            P999 = hasLatency ? Spread.Of(runs.Where(r => r.LatencyMicros.Count > 0).Select(r => (double?)r.LatencyMicros.P999)) : null,
            Max = hasLatency ? Spread.Of(runs.Where(r => r.LatencyMicros.Count > 0).Select(r => (double?)r.LatencyMicros.Max)) : null,
            Gaps = Spread.Of(runs.Select(r => (double?)r.SeqGaps)),
            Closes = Spread.Of(runs.Select(r => (double?)r.ClosesByCode.Values.Sum())),
            ServerCpu = Spread.Of(runs.Select(r => r.Server?.CpuPercent)),
            RssPerConnection = Spread.Of(runs.Select(r => r.Server?.RssPerConnectionBytes)),
            CpuPerConnection = idle ? Spread.Of(runs.Select(r => r.Server?.CpuMicrosPerConnectionSecond)) : null,
            RunnerCpu = Spread.Of(runs.Select(r => (double?)r.Runner.CpuPercent)),
            Compressions = Spread.Of(runs.Select(r => SumSeries(r, "marketpush_compression_messages_total"))),
        };
    }

    /// <summary>The delta of every series of one counter; null when the server did not export it at all.</summary>
    internal static double? SumSeries(RunResult run, string counter)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (run.ServerCounters is null)
        {
            return null;
        }

        var series = run.ServerCounters.Where(c => c.Key == counter || c.Key.StartsWith(counter + "{", StringComparison.Ordinal)).ToList();
        return series.Count == 0 ? null : series.Sum(c => c.Value);
    }
}
