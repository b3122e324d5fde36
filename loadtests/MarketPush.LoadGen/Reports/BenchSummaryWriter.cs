using System.Globalization;
using System.Text;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// The side-by-side summary that run-bench.sh writes to loadtests/results/&lt;date&gt;.md: for every case, each
/// contender's median and min–max over its runs, the reference's ratio to each other contender, then the issue 6 goals
/// evaluated on the medians. Reads only <see cref="RunResult"/>s; pure, so tests can feed it made-up runs.
/// </summary>
public static class BenchSummaryWriter
{
    public static string Write(IReadOnlyList<RunResult> results, string reference, string title, string? notes = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(reference);
        var md = new StringBuilder();
        md.Append("# ").AppendLine(title).AppendLine();
        if (!string.IsNullOrWhiteSpace(notes))
        {
            md.AppendLine(notes.Trim()).AppendLine();
        }

        md.AppendLine("Every figure is the median over the runs, with min–max in parentheses. Rates and CPU are over each run's")
            .AppendLine("measurement window (warm-up excluded); latency is feed `ts` → receipt on the same host clock; server CPU is")
            .AppendLine("utime + stime from /proc. Ratios are " + reference + " ÷ contender, so above 1 is better for throughput and below 1")
            .AppendLine("is better for CPU, latency and memory.").AppendLine();

        foreach (IGrouping<string, RunResult> byCase in results.GroupBy(r => r.Case).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            RunResult first = byCase.First();
            md.Append("## ").AppendLine(byCase.Key).AppendLine();
            md.Append("Scenario `").Append(first.Scenario).Append("`, ").Append(first.Settings.Connections).Append(" connections × ")
                .Append(first.Settings.SymbolsPerConnection).Append(" of ").Append(first.Settings.Symbols).Append(" symbols, load `")
                .Append(first.Settings.Load).Append('`').Append(first.Settings.Deflate ? ", permessage-deflate" : "")
                .Append(first.OfferedPerSecond is double offered ? $", offered {ReportFormat.Rate(offered)} deliveries/s" : "").AppendLine(".").AppendLine();

            md.AppendLine("| contender | runs | delivered msg/s | server ns/msg | p50 ms | p99 ms | p99.9 ms | max ms | seq gaps | closes | server CPU % | RSS/conn | CPU µs/s/conn | runner CPU % |");
            md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            var byLabel = byCase.GroupBy(r => r.Label).OrderBy(g => g.Key == reference ? 0 : 1).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
            foreach (IGrouping<string, RunResult> runs in byLabel)
            {
                CaseFigures f = CaseFigures.Of(runs.ToList());
                md.Append("| ").Append(runs.Key).Append(" | ").Append(runs.Count())
                    .Append(" | ").Append(Show(f.Delivered, ReportFormat.Rate))
                    .Append(" | ").Append(Show(f.ServerNanos, v => ReportFormat.Number(v, "0")))
                    .Append(" | ").Append(Show(f.P50, ReportFormat.Ms))
                    .Append(" | ").Append(Show(f.P99, ReportFormat.Ms))
                    .Append(" | ").Append(Show(f.P999, ReportFormat.Ms))
                    .Append(" | ").Append(Show(f.Max, ReportFormat.Ms))
                    .Append(" | ").Append(Show(f.Gaps, v => ReportFormat.Integer((long)v)))
                    .Append(" | ").Append(Show(f.Closes, v => ReportFormat.Integer((long)v)))
                    .Append(" | ").Append(Show(f.ServerCpu, v => ReportFormat.Number(v, "0")))
                    .Append(" | ").Append(Show(f.RssPerConnection, ReportFormat.Bytes))
                    .Append(" | ").Append(Show(f.CpuPerConnection, v => ReportFormat.Number(v, "0.##")))
                    .Append(" | ").Append(Show(f.RunnerCpu, v => ReportFormat.Number(v, "0")))
                    .AppendLine(" |");
            }

            IGrouping<string, RunResult>? referenceRuns = byLabel.FirstOrDefault(g => g.Key == reference);
            if (referenceRuns is not null && byLabel.Count > 1)
            {
                CaseFigures mine = CaseFigures.Of(referenceRuns.ToList());
                md.AppendLine().Append("Ratios ").Append(reference).AppendLine(" ÷ contender (medians):").AppendLine();
                md.AppendLine("| vs | delivered | server ns/msg | p99 | RSS/conn | CPU/conn |").AppendLine("| --- | --- | --- | --- | --- | --- |");
                foreach (IGrouping<string, RunResult> other in byLabel.Where(g => g.Key != reference))
                {
                    CaseFigures theirs = CaseFigures.Of(other.ToList());
                    md.Append("| ").Append(other.Key)
                        .Append(" | ").Append(Ratio(mine.Delivered, theirs.Delivered))
                        .Append(" | ").Append(Ratio(mine.ServerNanos, theirs.ServerNanos))
                        .Append(" | ").Append(Ratio(mine.P99, theirs.P99))
                        .Append(" | ").Append(Ratio(mine.RssPerConnection, theirs.RssPerConnection))
                        .Append(" | ").Append(Ratio(mine.CpuPerConnection, theirs.CpuPerConnection))
                        .AppendLine(" |");
                }
            }

            List<string> warnings = [.. byCase.SelectMany(r => r.Warnings.Select(w => $"{r.Label}: {w}")).Distinct()];
            if (warnings.Count > 0)
            {
                md.AppendLine().AppendLine("Warnings from the runs:").AppendLine();
                foreach (string warning in warnings.Take(12))
                {
                    md.Append("- ").AppendLine(warning);
                }
            }

            md.AppendLine();
        }

        IReadOnlyList<GoalCheck> goals = BenchGoals.Evaluate(results, reference);
        if (goals.Count > 0)
        {
            md.AppendLine("## Goals (issue 6), on the medians").AppendLine();
            md.AppendLine("| goal | target | measured | verdict |").AppendLine("| --- | --- | --- | --- |");
            foreach (GoalCheck goal in goals)
            {
                md.Append("| ").Append(goal.Goal).Append(" | ").Append(goal.Target).Append(" | ").Append(goal.Measured).Append(" | ")
                    .Append(goal.Met switch { true => "met", false => "**missed**", null => "not measured" }).AppendLine(" |");
            }

            md.AppendLine();
        }

        return md.ToString();
    }

    private static string Show(Spread? spread, Func<double, string> format) => spread is Spread s ? s.Format(format) : "–";

    private static string Ratio(Spread? mine, Spread? theirs) =>
        mine is Spread a && theirs is Spread b && b.Median != 0
            ? (a.Median / b.Median).ToString("0.00", CultureInfo.InvariantCulture) + "×"
            : "–";
}
