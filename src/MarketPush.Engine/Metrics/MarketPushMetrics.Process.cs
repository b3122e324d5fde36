using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace MarketPush.Engine.Metrics;

// Process-level gauges under the names every Prometheus client library exports (process_cpu_seconds_total…), so
// stock dashboards and node-level alerts work. The runtime's own System.Runtime meter covers GC, thread pool, JIT
// and exceptions (RuntimeMetricMap); what it reports per CPU mode or lacks (start time, descriptors) lives here.
// All are observable: they cost nothing until a scrape reads them.
public sealed partial class MarketPushMetrics
{
    private const string ProcFdDirectory = "/proc/self/fd";

    private static readonly double s_processStartTimeSeconds = ReadProcessStartTime();

    private void CreateProcessInstruments(Meter m)
    {
        m.CreateObservableCounter(MetricNames.ProcessCpuSecondsTotal, static () => Environment.CpuUsage.TotalTime.TotalSeconds,
            "s", "Total user and system CPU time spent in seconds.");
        m.CreateObservableGauge(MetricNames.ProcessResidentMemoryBytes, static () => Environment.WorkingSet,
            "By", "Resident memory size in bytes.");
        m.CreateObservableGauge(MetricNames.ProcessStartTimeSeconds, static () => s_processStartTimeSeconds,
            "s", "Start time of the process since unix epoch in seconds.");
        m.CreateObservableGauge(MetricNames.ProcessOpenFds, ObserveOpenFds,
            "{file_descriptor}", "Number of open file descriptors.");
    }

    private static IEnumerable<Measurement<long>> ObserveOpenFds()
    {
        if (!OperatingSystem.IsLinux() || !Directory.Exists(ProcFdDirectory))
        {
            return [];
        }

        long count = 0;
        foreach (string _ in Directory.EnumerateFileSystemEntries(ProcFdDirectory))
        {
            count++;
        }

        return [new Measurement<long>(count)];
    }

    private static double ReadProcessStartTime()
    {
        using Process process = Process.GetCurrentProcess();
        return (process.StartTime.ToUniversalTime() - DateTime.UnixEpoch).TotalSeconds;
    }
}
