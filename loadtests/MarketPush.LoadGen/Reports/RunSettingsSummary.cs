namespace MarketPush.LoadGen.Reports;

/// <summary>The options a run used, as recorded in its result (so a result file explains itself).</summary>
public sealed record RunSettingsSummary
{
    public string Url { get; init; } = "";

    public int Connections { get; init; }

    public int SymbolsPerConnection { get; init; }

    public int Symbols { get; init; }

    public string Load { get; init; } = "";

    public double DurationSeconds { get; init; }

    public double WarmupSeconds { get; init; }

    public bool Deflate { get; init; }

    public double SlowShare { get; init; }

    public int HoldMs { get; init; }

    public int PingMs { get; init; }

    public int Threads { get; init; }

    public string CommandLine { get; init; } = "";
}
