using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace MarketPush.Benchmarks;

/// <summary>
/// <c>--check-budgets</c>: the cheap enforcement of <c>allocation-budgets.json</c>, for CI. Runs every benchmark
/// method for every [Params] combination in this process (no BenchmarkDotNet child processes, no timing claims),
/// warms it up past tiered JIT, then counts managed bytes allocated over three rounds of about 0.2 s each. About
/// ten seconds in all; prints one line per case and returns the number of failures.
/// </summary>
/// <remarks>
/// <para>The budget is judged on totals (<see cref="AllocationBudgets.JudgeTotal"/>): the bytes of a whole round against
/// budget × OperationsPerInvoke × invocations in the round, never on a figure divided and rounded down first, so one
/// allocation per 1,000-message invocation, or one every hundred invocations, fails a 0 budget instead of showing as
/// 0 B/op. Two counts must both hold, each the best of the three rounds (an allocation the
/// benchmark makes repeats in every round; a one-off by the runtime lands in one): the benchmark thread's bytes
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>) and all threads' bytes (<see cref="GC.GetTotalAllocatedBytes(bool)"/>,
/// what MemoryDiagnoser reads), which catches work a benchmark hands to other threads.</para>
/// <para>Supports [Params], [ParamsSource], [ParamsAllValues] (bool, enum), [GlobalSetup], [GlobalCleanup] (with
/// Targets) and [Benchmark(OperationsPerInvoke)]; per-class [Config]s are ignored (they change columns, not what runs).
/// A method using [Arguments] or [IterationSetup]/[IterationCleanup] is reported as a failure, not measured wrong.
/// Methods are called through typed delegates, so the harness itself allocates nothing per call.</para>
/// </remarks>
internal static class AllocationBudgetCheck
{
    private const int MeasuredRounds = 3;
    private static readonly TimeSpan s_warmup = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan s_maxWarmup = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_measure = TimeSpan.FromMilliseconds(200);

    /// <param name="only">Check only the methods whose key contains this; null: every method, and the file's own problems.</param>
    public static int Run(TextWriter output, string? only = null)
    {
        AllocationBudgets budgets = AllocationBudgets.Load();
        (Type, MethodInfo)[] all = [.. AllocationBudgets.DiscoverBenchmarks()];
        if (only is null)
        {
            return Run(output, budgets, all);
        }

        (Type, MethodInfo)[] selected = [.. all.Where(b => AllocationBudgets.Key(b.Item1, b.Item2).Contains(only, StringComparison.OrdinalIgnoreCase))];
        if (selected.Length == 0)
        {
            output.WriteLine($"No benchmark method matches '{only}'.");
            return 1;
        }

        // The budgets of the methods left out are not stale: the file is still judged against every method.
        return Run(output, budgets, selected, all);
    }

    /// <summary>
    /// Checks <paramref name="benchmarks"/> against <paramref name="budgets"/>, and the budgets against
    /// <paramref name="allBenchmarks"/> (default: the same list) for missing and stale entries; returns the number of failures.
    /// </summary>
    public static int Run(
        TextWriter output,
        AllocationBudgets budgets,
        IReadOnlyList<(Type Type, MethodInfo Method)> benchmarks,
        IReadOnlyList<(Type Type, MethodInfo Method)>? allBenchmarks = null)
    {
        List<string> failures = budgets.FindMissingAndStale(allBenchmarks ?? benchmarks);
        foreach ((Type type, MethodInfo method) in benchmarks)
        {
            string key = AllocationBudgets.Key(type, method);
            if (UnsupportedFeature(type, method) is { } feature)
            {
                output.WriteLine($"FAIL {key}: not checked, it uses {feature}");
                failures.Add($"{key} uses {feature}, which --check-budgets does not emulate; extend AllocationBudgetCheck.");
                continue;
            }

            bool known = budgets.Budgets.ContainsKey(key);
            int operationsPerInvoke = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
            foreach (Dictionary<MemberInfo, object?> parameters in ParameterCombinations(type))
            {
                object instance = Activator.CreateInstance(type)!;
                foreach ((MemberInfo member, object? value) in parameters)
                {
                    SetValue(instance, member, value);
                }

                string caseName = CaseName(type, method, parameters);
                InvokeAll<GlobalSetupAttribute>(instance, method);
                try
                {
                    Allocation allocation = Measure(instance, method);
                    long operations = allocation.Invocations * operationsPerInvoke;
                    // Both counts are judged on their totals over every measured invocation (see the remarks).
                    string? failure = budgets.Judge(key, caseName + " (benchmark thread)", allocation.ThreadBytes, operations)
                        ?? budgets.Judge(key, caseName + " (all threads)", allocation.AllThreadsBytes, operations);
                    output.WriteLine(
                        $"{(known && failure is null ? "ok  " : "FAIL")} {caseName}: {PerOperation(allocation.ThreadBytes, operations)} B/op " +
                        $"({allocation.ThreadBytes} B over {operations} operations) on the benchmark thread, " +
                        $"{PerOperation(allocation.AllThreadsBytes, operations)} B/op ({allocation.AllThreadsBytes} B) on all threads");
                    if (failure is not null)
                    {
                        failures.Add(failure);
                    }
                }
                finally
                {
                    InvokeAll<GlobalCleanupAttribute>(instance, method);
                }
            }
        }

        foreach (string failure in failures)
        {
            output.WriteLine("budget: " + failure);
        }

        output.WriteLine(failures.Count == 0 ? "All allocation budgets hold." : $"{failures.Count} allocation budget problem(s).");
        return failures.Count;
    }

    private static Allocation Measure(object instance, MethodInfo method)
    {
        Type returnType = method.ReturnType;
        MethodInfo measure = returnType == typeof(void)
            ? typeof(AllocationBudgetCheck).GetMethod(nameof(MeasureAction), BindingFlags.NonPublic | BindingFlags.Static)!
            : typeof(AllocationBudgetCheck).GetMethod(nameof(MeasureFunc), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(returnType);
        Type delegateType = returnType == typeof(void) ? typeof(Action) : typeof(Func<>).MakeGenericType(returnType);
        Delegate benchmark = Delegate.CreateDelegate(delegateType, instance, method);
        return (Allocation)measure.Invoke(null, [benchmark])!;
    }

    private static Allocation MeasureAction(Action benchmark) => MeasureFunc(() => { benchmark(); return 0; });

    private static Allocation MeasureFunc<T>(Func<T> benchmark)
    {
        // Warm-up: enough calls for tier-1 code (30 calls, then the background recompile) and for pools, rings and
        // thread-local ArrayPool caches to reach their steady state. Also yields the calls that fit in s_measure.
        var clock = Stopwatch.StartNew();
        long calls = 0;
        while (clock.Elapsed < s_warmup || (calls < 1000 && clock.Elapsed < s_maxWarmup))
        {
            benchmark();
            calls++;
        }

        long measuredCalls = Math.Max(100, (long)(calls * (s_measure / clock.Elapsed)));
        long bestThread = long.MaxValue;
        long bestTotal = long.MaxValue;
        for (int round = 0; round < MeasuredRounds; round++)
        {
            // Gen2 GC callbacks (ArrayPool trimming among them) run on the finalizer thread after a full collection
            // and allocate a little there; wait for them, or they are charged to the round that follows.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long totalBefore = GC.GetTotalAllocatedBytes(precise: true);
            long threadBefore = GC.GetAllocatedBytesForCurrentThread();
            for (long i = 0; i < measuredCalls; i++)
            {
                benchmark();
            }

            // Totals, not bytes per call: dividing here would round an allocation every few calls down to nothing.
            bestThread = Math.Min(bestThread, GC.GetAllocatedBytesForCurrentThread() - threadBefore);
            bestTotal = Math.Min(bestTotal, GC.GetTotalAllocatedBytes(precise: true) - totalBefore);
        }

        return new Allocation(bestThread, bestTotal, measuredCalls);
    }

    private static string PerOperation(long bytes, long operations) =>
        ((double)bytes / operations).ToString("0.###", CultureInfo.InvariantCulture);

    private static List<Dictionary<MemberInfo, object?>> ParameterCombinations(Type type)
    {
        var combinations = new List<Dictionary<MemberInfo, object?>> { new() };
        object probe = Activator.CreateInstance(type)!;
        foreach (MemberInfo member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance))
        {
            if (member is not (PropertyInfo or FieldInfo) || ParameterValues(probe, member) is not { } values)
            {
                continue;
            }

            var next = new List<Dictionary<MemberInfo, object?>>();
            foreach (Dictionary<MemberInfo, object?> combination in combinations)
            {
                foreach (object? value in values)
                {
                    next.Add(new Dictionary<MemberInfo, object?>(combination) { [member] = value });
                }
            }

            combinations = next;
        }

        return combinations;
    }

    // The values BenchmarkDotNet would give a [Params], [ParamsSource] or [ParamsAllValues] member; null for others.
    private static List<object?>? ParameterValues(object probe, MemberInfo member)
    {
        if (member.GetCustomAttribute<ParamsAttribute>() is { } values)
        {
            return [.. values.Values];
        }

        if (member.GetCustomAttribute<ParamsSourceAttribute>() is { } source)
        {
            const BindingFlags Any = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
            MemberInfo provider = probe.GetType().GetMember(source.Name, Any).FirstOrDefault()
                ?? throw new InvalidOperationException($"[ParamsSource] names {source.Name}, which {probe.GetType().Name} does not have.");
            object? produced = provider switch
            {
                PropertyInfo property => property.GetValue(property.GetMethod!.IsStatic ? null : probe),
                FieldInfo field => field.GetValue(field.IsStatic ? null : probe),
                MethodInfo method => method.Invoke(method.IsStatic ? null : probe, null),
                _ => null,
            };
            return produced is System.Collections.IEnumerable items ? [.. items.Cast<object?>()] : [produced];
        }

        if (member.GetCustomAttribute<ParamsAllValuesAttribute>() is not null)
        {
            Type memberType = member is PropertyInfo p ? p.PropertyType : ((FieldInfo)member).FieldType;
            Type? underlying = Nullable.GetUnderlyingType(memberType);
            Type valueType = underlying ?? memberType;
            List<object?> all = valueType == typeof(bool) ? [false, true]
                : valueType.IsEnum ? [.. Enum.GetValuesAsUnderlyingType(valueType).Cast<object>().Select(v => Enum.ToObject(valueType, v))]
                : throw new InvalidOperationException($"[ParamsAllValues] on {member.Name}: only bool and enum types are supported.");
            if (underlying is not null)
            {
                all.Add(null);
            }

            return all;
        }

        return null;
    }

    private static void SetValue(object instance, MemberInfo member, object? value)
    {
        switch (member)
        {
            case PropertyInfo property:
                property.SetValue(instance, value);
                break;
            case FieldInfo field:
                field.SetValue(instance, value);
                break;
        }
    }

    private static void InvokeAll<TAttribute>(object instance, MethodInfo benchmark)
        where TAttribute : TargetedAttribute
    {
        foreach (MethodInfo method in instance.GetType().GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<TAttribute>() is { } attribute
                && (attribute.Targets is null || attribute.Targets.Length == 0 || attribute.Targets.Contains(benchmark.Name)))
            {
                method.Invoke(instance, null);
            }
        }
    }

    // Features whose cost this harness cannot reproduce faithfully; such a method is reported, not measured wrong.
    private static string? UnsupportedFeature(Type type, MethodInfo method) =>
        method.GetParameters().Length != 0 ? "[Arguments]/[ArgumentsSource]"
        : type.GetMethods().Any(m => m.GetCustomAttribute<IterationSetupAttribute>() is not null
            || m.GetCustomAttribute<IterationCleanupAttribute>() is not null) ? "[IterationSetup]/[IterationCleanup]"
        : null;

    private static string CaseName(Type type, MethodInfo method, Dictionary<MemberInfo, object?> parameters) =>
        parameters.Count == 0
            ? AllocationBudgets.Key(type, method)
            : $"{AllocationBudgets.Key(type, method)} [{string.Join(", ", parameters.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key.Name}={p.Value}")))}]";

    /// <summary>Bytes over one round of <paramref name="Invocations"/> calls: on the benchmark thread, and on all threads.</summary>
    private readonly record struct Allocation(long ThreadBytes, long AllThreadsBytes, long Invocations);
}
