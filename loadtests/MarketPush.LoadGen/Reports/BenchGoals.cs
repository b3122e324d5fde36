using System.Globalization;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// The goals G1–G6 of issue 6, checked on the medians of the cases run-bench.sh runs (case names below). Each check
/// names its target and what was measured, so the summary reads as the closing-note table. A goal whose runs are
/// missing (a quick run, a contender that failed) is "not measured", never silently passed.
/// </summary>
public static class BenchGoals
{
    public const string Throughput = "G1-throughput";
    public const string Latency100K = "G2-latency-100k";
    public const string Latency1M = "G2-latency-1M";
    public const string Idle = "G3-idle";
    public const string FanoutBase = "G4-base";
    public const string Deflate = "G4-deflate";
    public const string DeflateAll = "G4-deflate-all";
    public const string Slow = "G6-slow";

    /// <summary>The contender the ratio goals compare against.</summary>
    public const string Baseline = "aspnetcore";

    public static IReadOnlyList<GoalCheck> Evaluate(IReadOnlyList<RunResult> results, string reference)
    {
        ArgumentNullException.ThrowIfNull(results);
        CaseFigures? Figures(string caseName, string label)
        {
            List<RunResult> runs = [.. results.Where(r => r.Case == caseName && r.Label == label)];
            return runs.Count == 0 ? null : CaseFigures.Of(runs);
        }

        var checks = new List<GoalCheck>();
        CaseFigures? g1 = Figures(Throughput, reference);
        CaseFigures? g1Base = Figures(Throughput, Baseline);
        if (g1 is not null)
        {
            checks.Add(AtLeast("G1 delivered", "≥ 2.0M msg/s", g1.Delivered, 2_000_000, ReportFormat.Rate));
            checks.Add(AtMost("G1 server CPU per message", "≤ 500 ns", g1.ServerNanos, 500, v => ReportFormat.Number(v, "0") + " ns"));
            checks.Add(RatioAtLeast("G1 vs ASP.NET Core", "≥ 3× delivered", g1.Delivered, g1Base?.Delivered, 3));
        }

        CaseFigures? g2a = Figures(Latency100K, reference);
        CaseFigures? g2aBase = Figures(Latency100K, Baseline);
        if (g2a is not null)
        {
            checks.Add(AtMost("G2 p99 at 100k/s", "≤ 10 ms", g2a.P99, 10_000, Milliseconds));
            checks.Add(AtMost("G2 p99.9 at 100k/s", "≤ 15 ms", g2a.P999, 15_000, Milliseconds));
            checks.Add(RatioAtMost("G2 p99 at 100k/s vs ASP.NET Core", "≤ 0.5×", g2a.P99, g2aBase?.P99, 0.5));
        }

        CaseFigures? g2b = Figures(Latency1M, reference);
        CaseFigures? g2bBase = Figures(Latency1M, Baseline);
        if (g2b is not null)
        {
            checks.Add(AtMost("G2 p99 at 1M/s", "≤ 20 ms", g2b.P99, 20_000, Milliseconds));
            checks.Add(RatioAtMost("G2 p99 at 1M/s vs ASP.NET Core", "≤ 0.5×", g2b.P99, g2bBase?.P99, 0.5));
        }

        CaseFigures? g3 = Figures(Idle, reference);
        CaseFigures? g3Base = Figures(Idle, Baseline);
        if (g3 is not null)
        {
            checks.Add(AtMost("G3 RSS per idle connection", "≤ 8 KiB", g3.RssPerConnection, 8 * 1024, ReportFormat.Bytes));
            checks.Add(RatioAtMost("G3 RSS per connection vs ASP.NET Core", "≤ 0.5×", g3.RssPerConnection, g3Base?.RssPerConnection, 0.5));
            checks.Add(AtMost("G5 idle CPU per connection", "≤ 2 µs/s", g3.CpuPerConnection, 2, v => ReportFormat.Number(v, "0.###") + " µs/s"));
        }

        CaseFigures? plain = Figures(FanoutBase, reference);
        foreach (string deflateCase in (string[])[Deflate, DeflateAll])
        {
            CaseFigures? compressed = Figures(deflateCase, reference);
            if (compressed is null)
            {
                continue;
            }

            checks.Add(RatioAtMost($"G4 CPU/msg with deflate ({deflateCase}) vs without", "≤ 1.10×", compressed.ServerNanos, plain?.ServerNanos, 1.10));
            RunResult? sample = results.FirstOrDefault(r => r.Case == deflateCase && r.Label == reference);
            if (compressed.Compressions is Spread compressions && compressed.Delivered is Spread delivered && sample is not null)
            {
                // One compression per update at most: updates = deliveries ÷ subscribers per symbol.
                double subscribersPerSymbol = Math.Max(1.0, (double)sample.Settings.Connections * sample.Settings.SymbolsPerConnection / Math.Max(1, sample.Settings.Symbols));
                double updates = delivered.Median * sample.WindowSeconds / subscribersPerSymbol;
                double perUpdate = updates > 0 ? compressions.Median / updates : 0;
                checks.Add(new GoalCheck(
                    $"G4 compressions per update ({deflateCase})",
                    "≤ 1 (no per-connection compression)",
                    $"{ReportFormat.Number(compressions.Median, "0")} compressions for ~{ReportFormat.Number(updates, "0")} updates ({perUpdate.ToString("0.###", CultureInfo.InvariantCulture)} per update)",
                    perUpdate <= 1.05));
            }
            else
            {
                checks.Add(new GoalCheck(
                    $"G4 compressions per update ({deflateCase})",
                    "≤ 1 (no per-connection compression)",
                    "the server exported no marketpush_compression_messages_total (or was not scraped)",
                    null));
            }
        }

        CaseFigures? slow = Figures(Slow, reference);
        if (slow is not null)
        {
            checks.Add(RatioAtMost("G6 healthy p99 with 1% slow readers vs none", "≤ 1.10×", slow.P99, plain?.P99, 1.10));
            checks.Add(SlowSessionsBounded(results, reference));
        }

        return checks;
    }

    /// <summary>
    /// G6's second half, from outside the server: RSS at the end of the slow run over the same run without slow readers,
    /// per slow reader, against MarketPush's default queue bound (1 MiB) plus a quarter for slack; and the server's own
    /// count of updates it conflated because a queue was full (the bound at work).
    /// </summary>
    private static GoalCheck SlowSessionsBounded(IReadOnlyList<RunResult> results, string reference)
    {
        const double Bound = 1.25 * 1024 * 1024;
        List<RunResult> slowRuns = [.. results.Where(r => r.Case == Slow && r.Label == reference)];
        List<RunResult> baseRuns = [.. results.Where(r => r.Case == FanoutBase && r.Label == reference)];
        Spread? slowRss = Spread.Of(slowRuns.Select(r => (double?)r.Server?.RssEndBytes));
        Spread? baseRss = Spread.Of(baseRuns.Select(r => (double?)r.Server?.RssEndBytes));
        Spread? slowReaders = Spread.Of(slowRuns.Select(r => (double?)r.Slow?.Connections));
        Spread? conflated = Spread.Of(slowRuns.Select(r =>
            CaseFigures.SumSeries(r, "marketpush_session_conflated_updates_total") + CaseFigures.SumSeries(r, "marketpush_session_dropped_updates_total")
            ?? CaseFigures.SumSeries(r, "marketpush_session_conflated_updates_total")
            ?? CaseFigures.SumSeries(r, "marketpush_session_dropped_updates_total")));
        const string Target = "≤ queue bound (1 MiB) of memory per slow reader";
        if (slowRss is not Spread s || baseRss is not Spread b || slowReaders is not Spread n || n.Median <= 0)
        {
            return new GoalCheck("G6 slow sessions bounded", Target, "–", null);
        }

        double perSlow = (s.Median - b.Median) / n.Median;
        string measured = $"RSS +{ReportFormat.Bytes(perSlow)} per slow reader vs {FanoutBase}"
            + (conflated is Spread c ? $"; server conflated/dropped {ReportFormat.Number(c.Median, "0")} updates" : "; the server exported no conflation counter");
        return new GoalCheck("G6 slow sessions bounded", Target, measured, perSlow <= Bound);
    }

    private static string Milliseconds(double micros) => ReportFormat.Ms(micros) + " ms";

    private static GoalCheck AtLeast(string goal, string target, Spread? value, double threshold, Func<double, string> format) =>
        value is Spread v ? new GoalCheck(goal, target, v.Format(format), v.Median >= threshold) : new GoalCheck(goal, target, "–", null);

    private static GoalCheck AtMost(string goal, string target, Spread? value, double threshold, Func<double, string> format) =>
        value is Spread v ? new GoalCheck(goal, target, v.Format(format), v.Median <= threshold) : new GoalCheck(goal, target, "–", null);

    private static GoalCheck RatioAtLeast(string goal, string target, Spread? mine, Spread? theirs, double threshold) =>
        mine is Spread a && theirs is Spread b && b.Median > 0
            ? new GoalCheck(goal, target, Ratio(a.Median / b.Median), a.Median / b.Median >= threshold)
            : new GoalCheck(goal, target, "–", null);

    private static GoalCheck RatioAtMost(string goal, string target, Spread? mine, Spread? theirs, double threshold) =>
        mine is Spread a && theirs is Spread b && b.Median > 0
            ? new GoalCheck(goal, target, Ratio(a.Median / b.Median), a.Median / b.Median <= threshold)
            : new GoalCheck(goal, target, "–", null);

    private static string Ratio(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "×";
}
