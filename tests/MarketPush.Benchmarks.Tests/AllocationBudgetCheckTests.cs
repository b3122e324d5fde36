using System.Reflection;
using MarketPush.Benchmarks;

namespace MarketPush.Benchmarks.Tests;

/// <summary>
/// The in-process check (<c>--check-budgets</c>) end to end, over benchmark classes of this assembly: an allocation
/// made once every few invocations must fail a 0 budget (it used to be divided away per invocation and pass).
/// </summary>
public sealed class AllocationBudgetCheckTests
{
    [Fact]
    public void AllocationOnceEverySixtyFourInvocations_FailsAZeroBudget()
    {
        (int failures, string output) = Check<OccasionalAllocationBenchmark>(nameof(OccasionalAllocationBenchmark.AllocateEvery64th), budget: 0);

        Assert.True(failures == 1, output);
        Assert.Contains("over its budget", output, StringComparison.Ordinal);
    }

    [Fact]
    public void AllocationFreeMethod_PassesAZeroBudget()
    {
        (int failures, string output) = Check<OccasionalAllocationBenchmark>(nameof(OccasionalAllocationBenchmark.AllocateNothing), budget: 0);

        Assert.True(failures == 0, output);
        Assert.Contains("All allocation budgets hold.", output, StringComparison.Ordinal);
    }

    [Fact]
    public void BudgetPerOperation_IsMultipliedByOperationsPerInvoke()
    {
        // One 1,024-element byte array (1,048 B with its header) per invocation of 128 operations is ~8.2 B/op:
        // within 9 B/op, over 8 B/op.
        Assert.Equal(0, Check<OccasionalAllocationBenchmark>(nameof(OccasionalAllocationBenchmark.AllocateKiBPer128Operations), budget: 9).Failures);
        Assert.Equal(1, Check<OccasionalAllocationBenchmark>(nameof(OccasionalAllocationBenchmark.AllocateKiBPer128Operations), budget: 8).Failures);
    }

    [Fact]
    public void BenchmarkWithoutBudget_Fails()
    {
        MethodInfo method = typeof(OccasionalAllocationBenchmark).GetMethod(nameof(OccasionalAllocationBenchmark.AllocateNothing))!;
        using var output = new StringWriter();

        int failures = AllocationBudgetCheck.Run(output, AllocationBudgets.FromEntries([]), [(typeof(OccasionalAllocationBenchmark), method)]);

        Assert.True(failures == 1, output.ToString());
        Assert.Contains("has no entry", output.ToString(), StringComparison.Ordinal);
    }

    private static (int Failures, string Output) Check<T>(string methodName, long budget)
    {
        MethodInfo method = typeof(T).GetMethod(methodName)!;
        AllocationBudgets budgets = AllocationBudgets.FromEntries([new(AllocationBudgets.Key(typeof(T), method), budget)]);
        using var output = new StringWriter();
        int failures = AllocationBudgetCheck.Run(output, budgets, [(typeof(T), method)]);
        return (failures, output.ToString());
    }
}
