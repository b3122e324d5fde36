using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace MarketPush.Benchmarks;

/// <summary>
/// Entry point. With <c>--check-budgets</c>: the quick in-process allocation check (<see cref="AllocationBudgetCheck"/>).
/// Otherwise BenchmarkDotNet's switcher (e.g. <c>--filter '*' --job short</c>), followed by a check of every case's
/// Allocated figure against <c>allocation-budgets.json</c>; a case over its budget, or one that measured nothing, makes
/// the exit code 1, so a benchmark run cannot report a hot-path allocation (or skip measuring it) and still look green.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (args.Contains("--check-budgets"))
        {
            // `--check-budgets --filter Text`: only the methods whose Class.Method key contains Text (a quick look
            // while working on one benchmark; CI checks them all).
            int filter = Array.IndexOf(args, "--filter");
            string? only = filter >= 0 && filter + 1 < args.Length ? args[filter + 1] : null;
            return AllocationBudgetCheck.Run(Console.Out, only) == 0 ? 0 : 1;
        }

        IEnumerable<Summary> summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return CheckBudgets(summaries) == 0 ? 0 : 1;
    }

    private static int CheckBudgets(IEnumerable<Summary> summaries)
    {
        AllocationBudgets budgets = AllocationBudgets.Load();
        var failures = budgets.FindMissingAndStale();
        int checkedCases = 0;
        foreach (Summary summary in summaries)
        {
            foreach (BenchmarkReport report in summary.Reports)
            {
                if (!report.Success)
                {
                    failures.Add($"{report.BenchmarkCase.DisplayInfo}: the benchmark did not run to completion.");
                    continue;
                }

                // A case without a MemoryDiagnoser figure fails, it is not skipped; see JudgeBenchmarkDotNet for why
                // the figure judged here is per operation (the totals rule is --check-budgets').
                checkedCases++;
                var descriptor = report.BenchmarkCase.Descriptor;
                string? failure = budgets.JudgeBenchmarkDotNet(
                    AllocationBudgets.Key(descriptor.Type, descriptor.WorkloadMethod),
                    report.BenchmarkCase.DisplayInfo,
                    report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase),
                    report.GcStats.TotalOperations);
                if (failure is not null)
                {
                    failures.Add(failure);
                }
            }
        }

        if (checkedCases > 0 || failures.Count > 0)
        {
            foreach (string failure in failures)
            {
                Console.WriteLine("allocation budget: " + failure);
            }

            Console.WriteLine(failures.Count == 0
                ? $"Allocation budgets: {checkedCases} case(s) within {AllocationBudgets.FileName}."
                : $"Allocation budgets: {failures.Count} problem(s).");
        }

        return failures.Count;
    }
}
