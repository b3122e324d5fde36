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

    public static string Key(Type benchmarkType, MethodInfo method) => $"{benchmarkType.Name}.{method.Name}";

    /// <summary>Every public [Benchmark] method in this assembly, by class.</summary>
    public static IEnumerable<(Type Type, MethodInfo Method)> DiscoverBenchmarks()
    {
        foreach (Type type in typeof(AllocationBudgets).Assembly.GetExportedTypes().OrderBy(t => t.Name, StringComparer.Ordinal))
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

    /// <summary>Problems with the file itself: benchmark methods without a budget, budgets naming no method, repeated keys.</summary>
    public List<string> FindMissingAndStale()
    {
        var problems = new List<string>();
        foreach (string key in _duplicates)
        {
            problems.Add($"{FileName} has more than one budget for {key}.");
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach ((Type type, MethodInfo method) in DiscoverBenchmarks())
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
    /// A failure message when <paramref name="bytesPerOperation"/> is over the budget of <paramref name="key"/>; null
    /// otherwise, including when there is no budget (<see cref="FindMissingAndStale"/> reports that once).
    /// </summary>
    public string? Judge(string key, string caseName, long bytesPerOperation) =>
        _budgets.TryGetValue(key, out long budget) && bytesPerOperation > budget
            ? $"{caseName}: {bytesPerOperation} B/op is over its budget of {budget} B/op."
            : null;
}
