using System.Globalization;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace MarketPush.Benchmarks;

/// <summary>
/// The allowed bytes per operation of every benchmark method, read from <c>allocation-budgets.json</c> (copied next to
/// the executable). Used by <see cref="Program"/> after a BenchmarkDotNet run and by <see cref="AllocationBudgetCheck"/>;
/// both fail on a method without a budget, so a new hot-path benchmark cannot skip pinning its allocations.
/// </summary>
internal sealed class AllocationBudgets
{
    public const string FileName = "allocation-budgets.json";

    private readonly Dictionary<string, long> _budgets;
    private readonly List<string> _duplicates;

    private AllocationBudgets(Dictionary<string, long> budgets, List<string> duplicates)
    {
        _budgets = budgets;
        _duplicates = duplicates;
    }

    /// <summary>Keys look like <c>FrameReaderBenchmarks.OneSegment</c>.</summary>
    public IReadOnlyDictionary<string, long> Budgets => _budgets;

    public static AllocationBudgets Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, FileName);
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        var budgets = new Dictionary<string, long>(StringComparer.Ordinal);
        var duplicates = new List<string>();
        foreach (JsonProperty entry in document.RootElement.GetProperty("budgets").EnumerateObject())
        {
            // JSON allows a repeated key and keeps the last; two budgets for one method is an editing mistake, so say so.
            if (!budgets.TryAdd(entry.Name, entry.Value.GetProperty("maxBytesPerOperation").GetInt64()))
            {
                duplicates.Add(entry.Name);
            }
        }

        return new AllocationBudgets(budgets, duplicates);
    }

    /// <summary>Budgets given in code (tests of the checker), keyed like the file.</summary>
    public static AllocationBudgets FromEntries(IEnumerable<KeyValuePair<string, long>> entries) =>
        new(new Dictionary<string, long>(entries, StringComparer.Ordinal), []);

    public static string Key(Type benchmarkType, MethodInfo method) => $"{benchmarkType.Name}.{method.Name}";

    /// <summary>Every public [Benchmark] method in <paramref name="assembly"/> (default: this one), by class.</summary>
    public static IEnumerable<(Type Type, MethodInfo Method)> DiscoverBenchmarks(Assembly? assembly = null)
    {
        foreach (Type type in (assembly ?? typeof(AllocationBudgets).Assembly).GetExportedTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            {
                if (method.GetCustomAttribute<BenchmarkAttribute>() is not null)
                {
                    yield return (type, method);
                }
            }
        }
    }

    /// <summary>
    /// Problems with the file itself: benchmark methods (of <paramref name="benchmarks"/>, default every one in this
    /// assembly) without a budget, budgets naming no method, repeated keys.
    /// </summary>
    public List<string> FindMissingAndStale(IEnumerable<(Type Type, MethodInfo Method)>? benchmarks = null)
    {
        var problems = new List<string>();
        foreach (string key in _duplicates)
        {
            problems.Add($"{FileName} has more than one budget for {key}.");
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach ((Type type, MethodInfo method) in benchmarks ?? DiscoverBenchmarks())
        {
            string key = Key(type, method);
            known.Add(key);
            if (!_budgets.ContainsKey(key))
            {
                problems.Add($"{key} has no entry in {FileName}.");
            }
        }

        foreach (string key in _budgets.Keys)
        {
            if (!known.Contains(key))
            {
                problems.Add($"{FileName} has a budget for {key}, which is not a benchmark method.");
            }
        }

        return problems;
    }

    /// <summary>
    /// Judges one measured case against the budget of <paramref name="key"/>: null when it holds, otherwise the
    /// failure. A method without a budget is judged by <see cref="FindMissingAndStale"/> instead (reported once, not
    /// per case), so it answers null here.
    /// </summary>
    public string? Judge(string key, string caseName, long? allocatedBytes, long operations) =>
        _budgets.TryGetValue(key, out long budget) ? JudgeTotal(caseName, budget, allocatedBytes, operations) : null;

    /// <summary>
    /// The rule after a BenchmarkDotNet run, for one case: no figure (no <c>[MemoryDiagnoser]</c>) or no operation
    /// fails, as in <see cref="JudgeTotal"/>; otherwise BenchmarkDotNet's own bytes per operation (its Allocated
    /// column) is compared with the budget. Not its total: BenchmarkDotNet 0.14's total carries a fixed amount
    /// allocated outside the workload (1,072 B for a case at 2,048 operations and the same 1,072 B at 1,048,576, 64 B
    /// for another; up to 11 KB in-process), which would fail every 0 budget whatever the code does. The totals rule
    /// is enforced by <c>--check-budgets</c>, which measures without that harness (CI).
    /// </summary>
    public string? JudgeBenchmarkDotNet(string key, string caseName, long? bytesPerOperation, long operations)
    {
        if (!_budgets.TryGetValue(key, out long budget))
        {
            return null;
        }

        if (bytesPerOperation is null || operations <= 0)
        {
            return JudgeTotal(caseName, budget, bytesPerOperation, operations);
        }

        return bytesPerOperation > budget
            ? string.Create(CultureInfo.InvariantCulture, $"{caseName}: {bytesPerOperation} B/op is over its budget of {budget} B/op.")
            : null;
    }

    /// <summary>
    /// The rule itself: the bytes allocated over all <paramref name="operations"/> of a case may not exceed
    /// <paramref name="budgetPerOperation"/> × <paramref name="operations"/>. Compared on totals, never on a rounded
    /// per-operation figure, so one 32-byte allocation per 1,000 operations fails a 0 budget instead of showing as
    /// 0 B/op. A case that measured nothing (no allocation figure, or no operation) fails: a budget nobody measured
    /// is not a budget that holds.
    /// </summary>
    public static string? JudgeTotal(string caseName, long budgetPerOperation, long? allocatedBytes, long operations)
    {
        if (allocatedBytes is not { } allocated || operations <= 0)
        {
            return $"{caseName}: nothing was measured ({(allocatedBytes is null ? "no allocation figure" : "no operation")}); " +
                "the case must run with [MemoryDiagnoser] and complete at least one operation.";
        }

        long allowed = budgetPerOperation > long.MaxValue / operations ? long.MaxValue : budgetPerOperation * operations;
        return allocated > allowed
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"{caseName}: {allocated} B over {operations} operation(s) ({(double)allocated / operations:0.###} B/op) is over its budget of {budgetPerOperation} B/op ({allowed} B in all).")
            : null;
    }
}
