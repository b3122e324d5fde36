namespace MarketPush.LoadGen.Reports;

/// <summary>The server process over the measurement window, from /proc (<c>--server-pid</c>).</summary>
public sealed record ServerUsage
{
    public int Pid { get; init; }

    public double CpuSeconds { get; init; }

    /// <summary>Percent of one core over the window.</summary>
    public double CpuPercent { get; init; }

    /// <summary>Server CPU time per delivered quote: the efficiency figure that a saturated client cannot hide.</summary>
    public double? CpuNanosPerDelivered { get; init; }

    /// <summary>RSS before the first connection opened.</summary>
    public long RssBeforeBytes { get; init; }

    public long RssEndBytes { get; init; }

    /// <summary>(RSS at the end − RSS before) / connections open at the end (no GC forced: a managed server's heap may still shrink).</summary>
    public double? RssPerConnectionBytes { get; init; }

    /// <summary>Server CPU per second per open connection, µs (the idle cost figure).</summary>
    public double? CpuMicrosPerConnectionSecond { get; init; }
}
