using MarketPush.LoadGen.Reports;

namespace MarketPush.LoadGen.Tests;

public sealed class BenchSummaryTests
{
    [Fact]
    public void Spread_TakesTheMedian_AndMinMax()
    {
        Assert.Equal(new Spread(2, 1, 9, 3), Spread.Of([9, 1, 2]));
        Assert.Equal(new Spread(2.5, 1, 9, 4), Spread.Of([9, 1, 2, 3]));
        Assert.Null(Spread.Of([null, null]));
        Assert.Equal("2 (1–9)", new Spread(2, 1, 9, 3).Format(v => v.ToString("0", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Write_QuotesMedianAndRange_AndTheRatioToEachContender()
    {
        RunResult[] runs =
        [
            SampleResults.Run(BenchGoals.Throughput, "marketpush", 2_000_000, 4_000, serverNanos: 400),
            SampleResults.Run(BenchGoals.Throughput, "aspnetcore", 500_000, 40_000, serverNanos: 2_000),
            SampleResults.Run(BenchGoals.Throughput, "marketpush", 2_400_000, 5_000, serverNanos: 380),
            SampleResults.Run(BenchGoals.Throughput, "aspnetcore", 600_000, 50_000, serverNanos: 1_800),
            SampleResults.Run(BenchGoals.Throughput, "marketpush", 2_200_000, 6_000, serverNanos: 390),
            SampleResults.Run(BenchGoals.Throughput, "aspnetcore", 700_000, 60_000, serverNanos: 1_900),
        ];

        string summary = BenchSummaryWriter.Write(runs, "marketpush", "Bench");

        Assert.Contains("| marketpush | 3 | 2.20M (2.00M–2.40M) | 390 (380–400) |", summary, StringComparison.Ordinal);
        Assert.Contains("| aspnetcore | 3 | 600k (500k–700k) | 1900 (1800–2000) |", summary, StringComparison.Ordinal);
        Assert.Contains("| aspnetcore | 3.67× | 0.21× | 0.10× |", summary, StringComparison.Ordinal);
        Assert.Contains("| G1 delivered | ≥ 2.0M msg/s | 2.20M (2.00M–2.40M) | met |", summary, StringComparison.Ordinal);
        Assert.Contains("| G1 server CPU per message | ≤ 500 ns | 390 ns (380 ns–400 ns) | met |", summary, StringComparison.Ordinal);
        Assert.Contains("| G1 vs ASP.NET Core | ≥ 3× delivered | 3.67× | met |", summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Goals_AreMissedOrNotMeasured_NeverSilentlyPassed()
    {
        RunResult[] runs =
        [
            SampleResults.Run(BenchGoals.Latency100K, "marketpush", 100_000, 12_000),
            SampleResults.Run(BenchGoals.Idle, "marketpush", 2, 1_000, rssPerConnection: 9_000, scenario: "idle"),
        ];

        IReadOnlyList<GoalCheck> goals = BenchGoals.Evaluate(runs, "marketpush");

        Assert.Equal(false, goals.Single(g => g.Goal == "G2 p99 at 100k/s").Met);
        Assert.Null(goals.Single(g => g.Goal == "G2 p99 at 100k/s vs ASP.NET Core").Met);
        Assert.Equal(false, goals.Single(g => g.Goal == "G3 RSS per idle connection").Met);
        Assert.Equal(true, goals.Single(g => g.Goal == "G5 idle CPU per connection").Met);
        Assert.DoesNotContain(goals, g => g.Goal.StartsWith("G1", StringComparison.Ordinal));
    }

    [Fact]
    public void G4_ComparesCpuPerMessage_WithAndWithoutDeflate()
    {
        RunResult plain = SampleResults.Run(BenchGoals.FanoutBase, "marketpush", 200_000, 2_000, serverNanos: 1_000);
        RunResult compressed = SampleResults.Run(BenchGoals.Deflate, "marketpush", 200_000, 2_000, serverNanos: 1_150) with
        {
            ServerCounters = new SortedDictionary<string, double> { ["marketpush_compression_messages_total{encoding=\"json\"}"] = 1_600 },
            Settings = plain.Settings with { Connections = 1000, SymbolsPerConnection = 1, Symbols = 1000 },
        };

        IReadOnlyList<GoalCheck> goals = BenchGoals.Evaluate([plain, compressed], "marketpush");

        GoalCheck cpu = goals.Single(g => g.Goal.StartsWith("G4 CPU/msg with deflate (G4-deflate)", StringComparison.Ordinal));
        Assert.Equal(false, cpu.Met);
        Assert.Equal("1.15×", cpu.Measured);
        // 1,000 connections on 1,000 symbols: one subscriber per symbol, so 1.6M deliveries are 1.6M updates; 1,600 compressions is far below one per update.
        Assert.Equal(true, goals.Single(g => g.Goal == "G4 compressions per update (G4-deflate)").Met);
    }

    [Fact]
    public void G4_CompressionCount_IsNotMeasured_WhenTheServerDoesNotExportIt()
    {
        RunResult plain = SampleResults.Run(BenchGoals.FanoutBase, "marketpush", 100_000, 2_000, serverNanos: 1_000);
        RunResult compressed = SampleResults.Run(BenchGoals.DeflateAll, "marketpush", 100_000, 2_000, serverNanos: 1_050) with
        {
            ServerCounters = new SortedDictionary<string, double> { ["marketpush_feed_received_updates_total"] = 9_000 },
        };

        GoalCheck check = BenchGoals.Evaluate([plain, compressed], "marketpush").Single(g => g.Goal == "G4 compressions per update (G4-deflate-all)");

        Assert.Null(check.Met);
        Assert.Contains("exported no marketpush_compression_messages_total", check.Measured, StringComparison.Ordinal);
    }
}
