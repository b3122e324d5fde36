using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Reports;

namespace MarketPush.LoadGen.Tests;

/// <summary>Made-up run results for the report and summary tests.</summary>
internal static class SampleResults
{
    public static RunResult Run(string caseName, string label, double delivered, long p99Micros, double? serverNanos = null, double? rssPerConnection = null, string scenario = "wide") => new()
    {
        Case = caseName,
        Label = label,
        Scenario = scenario,
        ServerName = label + "/1.0",
        StartedAt = new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero),
        Settings = new RunSettingsSummary { Url = "ws://127.0.0.1:9000/v1/stream", Connections = 1000, SymbolsPerConnection = 1, Symbols = 1, Load = "keep:1000:12", DurationSeconds = 12, WarmupSeconds = 4, Threads = 1, CommandLine = "--port 9000" },
        WindowSeconds = 8,
        DeliveredMessages = (long)(delivered * 8),
        DeliveredPerSecond = delivered,
        ExpectedBySeq = (long)(delivered * 8) + 3,
        WireBytes = (long)(delivered * 8 * 120),
        WireBytesPerSecond = delivered * 120,
        PayloadBytes = (long)(delivered * 8 * 116),
        LatencyMicros = new LatencySummary { Count = 100, Min = 10, P50 = p99Micros / 4, P90 = p99Micros / 2, P99 = p99Micros, P999 = p99Micros * 2, Max = p99Micros * 3, Mean = p99Micros / 3.0 },
        SeqGaps = 3,
        ClosesByCode = new SortedDictionary<string, long> { ["4001"] = 2 },
        Connections = new ConnectionSummary { Target = 1000, OpenAtEnd = 998, Opened = 1000 },
        Server = serverNanos is null && rssPerConnection is null ? null : new ServerUsage
        {
            Pid = 1,
            CpuSeconds = 7,
            CpuPercent = 87.5,
            CpuNanosPerDelivered = serverNanos,
            RssBeforeBytes = 50 << 20,
            RssEndBytes = 60 << 20,
            RssPerConnectionBytes = rssPerConnection,
            CpuMicrosPerConnectionSecond = 1.5,
        },
        Runner = new RunnerUsage { CpuSeconds = 2, CpuPercent = 25, CpuNanosPerMessage = 120, Threads = 1, ProcessorCount = 1 },
        Timeline = [.. Enumerable.Range(0, 12).Select(s => new TimelinePoint { Second = s, Quotes = (long)delivered, P50Micros = 100 + s, P99Micros = 900 + s, MaxMicros = 2000, Connections = 1000, RunnerCpuPercent = 20, ServerCpuPercent = 80 })],
        Warnings = ["the runner used 95% CPU: it may have been the bottleneck, not the server"],
    };
}
