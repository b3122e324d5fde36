using MarketPush.Benchmarks;

namespace MarketPush.Benchmarks.Tests;

/// <summary>
/// The budget rule both enforcement paths share (<see cref="AllocationBudgets.JudgeTotal"/>: after a BenchmarkDotNet
/// run and in <c>--check-budgets</c>): totals against budget × operations, and a case that measured nothing fails.
/// </summary>
public sealed class AllocationBudgetJudgeTests
{
    [Fact]
    public void CaseWithNoAllocationFigure_Fails()
    {
        string? failure = AllocationBudgets.JudgeTotal("Case", budgetPerOperation: 0, allocatedBytes: null, operations: 1_000);

        Assert.NotNull(failure);
        Assert.Contains("nothing was measured", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseWithNoOperation_Fails_EvenWithAZeroFigure()
    {
        Assert.NotNull(AllocationBudgets.JudgeTotal("Case", budgetPerOperation: 0, allocatedBytes: 0, operations: 0));
        Assert.NotNull(AllocationBudgets.JudgeTotal("Case", budgetPerOperation: 64, allocatedBytes: 0, operations: 0));
    }

    [Theory]
    [InlineData(0, 1_000)]
    [InlineData(24, 1_000)]
    [InlineData(24, 1)]
    public void OneByteOverBudgetTimesOperations_Fails(long budget, long operations)
    {
        // 24 B/op over 1,000 operations may allocate 24,000 B; 24,001 B is 24.001 B/op, which a rounded-down
        // per-operation figure would show as exactly the budget.
        string? failure = AllocationBudgets.JudgeTotal("Case", budget, allocatedBytes: (budget * operations) + 1, operations);

        Assert.NotNull(failure);
        Assert.Contains("over its budget", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1_000)]
    [InlineData(24, 1_000)]
    [InlineData(24, 1)]
    public void ExactlyBudgetTimesOperations_Passes(long budget, long operations)
    {
        Assert.Null(AllocationBudgets.JudgeTotal("Case", budget, allocatedBytes: budget * operations, operations));
        Assert.Null(AllocationBudgets.JudgeTotal("Case", budget, allocatedBytes: 0, operations));
    }

    [Fact]
    public void HugeBudget_DoesNotOverflowIntoAFailure()
    {
        Assert.Null(AllocationBudgets.JudgeTotal("Case", long.MaxValue / 2, allocatedBytes: long.MaxValue - 1, operations: 4));
    }

    [Fact]
    public void MethodWithoutBudget_IsLeftToTheMissingEntryCheck()
    {
        AllocationBudgets budgets = AllocationBudgets.FromEntries([new("Known.Method", 0)]);

        Assert.Null(budgets.Judge("Unknown.Method", "Unknown.Method", allocatedBytes: 1_000, operations: 1));
        Assert.NotNull(budgets.Judge("Known.Method", "Known.Method", allocatedBytes: 1, operations: 1));
        Assert.NotNull(budgets.Judge("Known.Method", "Known.Method", allocatedBytes: null, operations: 1));
    }

    [Fact]
    public void BenchmarkDotNetCase_WithNoFigureOrNoOperation_Fails_AndIsJudgedPerOperationOtherwise()
    {
        AllocationBudgets budgets = AllocationBudgets.FromEntries([new("Known.Method", 0), new("Small.Method", 24)]);

        Assert.NotNull(budgets.JudgeBenchmarkDotNet("Known.Method", "Known.Method", bytesPerOperation: null, operations: 1_000));
        Assert.NotNull(budgets.JudgeBenchmarkDotNet("Known.Method", "Known.Method", bytesPerOperation: 0, operations: 0));
        Assert.Null(budgets.JudgeBenchmarkDotNet("Known.Method", "Known.Method", bytesPerOperation: 0, operations: 1_000));
        Assert.NotNull(budgets.JudgeBenchmarkDotNet("Known.Method", "Known.Method", bytesPerOperation: 1, operations: 1_000));
        Assert.Null(budgets.JudgeBenchmarkDotNet("Small.Method", "Small.Method", bytesPerOperation: 24, operations: 1_000));
        Assert.NotNull(budgets.JudgeBenchmarkDotNet("Small.Method", "Small.Method", bytesPerOperation: 25, operations: 1_000));
    }

    [Fact]
    public void ProjectBudgetFile_NamesEveryBenchmarkMethod_AndNoOther()
    {
        // The real allocation-budgets.json (copied beside the benchmarks assembly) against the real benchmark classes.
        // Both sides must be non-empty, or "no missing and no stale entry" would hold for a discovery that found nothing.
        (Type Type, System.Reflection.MethodInfo Method)[] benchmarks = [.. AllocationBudgets.DiscoverBenchmarks()];
        Assert.NotEmpty(benchmarks); // an empty budget file then fails too: every method would be reported missing
        List<string> problems = AllocationBudgets.Load().FindMissingAndStale(benchmarks);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }
}
