namespace MarketPush.Engine.Metrics;

/// <summary>
/// Which instruments of the runtime's own <c>System.Runtime</c> meter (.NET 9+) <see cref="MetricsCollector"/>
/// exports, under which Prometheus name and type, with which labels. Read-only table; consulted once per
/// instrument when the listener learns about it.
/// </summary>
/// <remarks>
/// Reading the runtime's meter rather than polling GC/ThreadPool ourselves gets us what only the runtime sees
/// (exceptions thrown, time paused for GC) with the runtime's own semantics. Unlisted instruments are not
/// exported, so the scrape holds only names from <see cref="MetricNames"/>. Types are set here, not taken from the
/// instrument: the runtime publishes thread count and queue length as observable *counters* although they go
/// down, and Prometheus must see them as gauges. Exception counts drop <c>error.type</c> (one series per exception
/// type name is not a low-cardinality label).
/// </remarks>
internal static class RuntimeMetricMap
{
    public const string MeterName = "System.Runtime";

    private static readonly LabelMapping[] s_generation = [new("gc.heap.generation", MetricLabels.Generation)];

    private static readonly Dictionary<string, MetricExport> s_map = new(StringComparer.Ordinal)
    {
        ["dotnet.gc.collections"] = new(MetricNames.RuntimeGcCollectionsTotal, PrometheusMetricType.Counter,
            "Garbage collections of exactly this generation since the process started.", s_generation),
        ["dotnet.gc.heap.total_allocated"] = new(MetricNames.RuntimeGcAllocatedBytesTotal, PrometheusMetricType.Counter,
            "Bytes allocated on the managed heap since the process started.", []),
        ["dotnet.gc.last_collection.heap.size"] = new(MetricNames.RuntimeGcHeapBytes, PrometheusMetricType.Gauge,
            "Managed heap size by generation after the last garbage collection.", s_generation),
        ["dotnet.gc.last_collection.memory.committed_size"] = new(MetricNames.RuntimeGcCommittedBytes, PrometheusMetricType.Gauge,
            "Memory committed by the GC at the last garbage collection.", []),
        ["dotnet.gc.pause.time"] = new(MetricNames.RuntimeGcPauseSecondsTotal, PrometheusMetricType.Counter,
            "Time the runtime was paused for garbage collection.", []),
        ["dotnet.thread_pool.thread.count"] = new(MetricNames.RuntimeThreadPoolThreads, PrometheusMetricType.Gauge,
            "Thread pool threads.", []),
        ["dotnet.thread_pool.queue.length"] = new(MetricNames.RuntimeThreadPoolQueuedItems, PrometheusMetricType.Gauge,
            "Work items queued to the thread pool, not yet started.", []),
        ["dotnet.thread_pool.work_item.count"] = new(MetricNames.RuntimeThreadPoolCompletedItemsTotal, PrometheusMetricType.Counter,
            "Work items the thread pool completed.", []),
        ["dotnet.monitor.lock_contentions"] = new(MetricNames.RuntimeLockContentionsTotal, PrometheusMetricType.Counter,
            "Times a thread waited for a contended Monitor lock.", []),
        ["dotnet.exceptions"] = new(MetricNames.RuntimeExceptionsTotal, PrometheusMetricType.Counter,
            "Exceptions thrown in managed code.", []),
        ["dotnet.jit.compiled_methods"] = new(MetricNames.RuntimeJitCompiledMethodsTotal, PrometheusMetricType.Counter,
            "Methods compiled by the JIT.", []),
    };

    public static bool TryGet(string instrumentName, out MetricExport export) => s_map.TryGetValue(instrumentName, out export!);

    /// <summary>Every runtime instrument name the map knows (tests check the runtime still publishes them).</summary>
    public static IEnumerable<string> InstrumentNames => s_map.Keys;
}
