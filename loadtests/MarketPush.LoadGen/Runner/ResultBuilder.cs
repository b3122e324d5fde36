using System.Diagnostics;
using System.Globalization;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Reports;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// Turns the workers' counters and histograms and the control thread's /proc samples into a <see cref="RunResult"/>:
/// merges per-worker figures, divides by the window, and adds warnings for anything that makes the numbers suspect.
/// Runs once, after the workers stopped (so reading their histograms is safe). Pure apart from its input.
/// </summary>
internal static class ResultBuilder
{
    /// <summary>Runner CPU at or above this share of its cores means the client may have been the bottleneck.</summary>
    private const double SaturatedRunnerPercent = 90;

    public static RunResult Build(ResultInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        RunOptions options = input.Options;
        IReadOnlyList<WorkerStats> workers = input.Workers;
        double window = input.Clock.WindowSeconds;

        var latency = new LatencyHistogram();
        var handshake = new LatencyHistogram();
        var ready = new LatencyHistogram();
        var ping = new LatencyHistogram();
        foreach (WorkerStats stats in workers)
        {
            latency.Add(stats.WindowLatency);
            handshake.Add(stats.HandshakeTime);
            ready.Add(stats.ReadyTime);
            ping.Add(stats.PingRoundTrip);
        }

        long delivered = workers.Sum(s => s.WindowQuotes);
        long gaps = workers.Sum(s => s.WindowSeqGaps);
        long wireBytes = workers.Sum(s => s.WindowWireBytes);
        long messages = workers.Sum(s => s.WindowMessages);
        string label = options.Label ?? SanitizeLabel(input.ServerName) ?? "server";
        List<string> warnings = [.. input.Warnings];
        foreach (WorkerStats stats in workers)
        {
            if (stats.FirstError is not null && !warnings.Contains(stats.FirstError))
            {
                warnings.Add(stats.FirstError);
            }
        }

        ServerUsage? server = BuildServerUsage(input, delivered, window);
        RunnerUsage runner = BuildRunnerUsage(input, messages);
        if (runner.CpuPercent >= SaturatedRunnerPercent * Math.Min(options.Threads, Environment.ProcessorCount))
        {
            warnings.Add($"the runner used {runner.CpuPercent.ToString("0", CultureInfo.InvariantCulture)}% CPU: it may have been the bottleneck, not the server");
        }

        if (delivered == 0 && options.Scenario is not (ScenarioKind.Idle or ScenarioKind.Churn))
        {
            warnings.Add("no quote was delivered in the measurement window");
        }

        long future = workers.Sum(s => s.WindowFutureTimestamps);
        if (future > 0 && future >= delivered / 100)
        {
            warnings.Add($"{future.ToString(CultureInfo.InvariantCulture)} of {delivered.ToString(CultureInfo.InvariantCulture)} quotes carried a ts later than their receipt "
                + "(counted as 0 µs): the feed's ts is not on the host's real-time clock, so the latencies are understated");
        }

        long openAtEnd = input.OpenAtWindowEnd;
        if (options.Scenario is not (ScenarioKind.Churn or ScenarioKind.Slow) && openAtEnd < input.Options.EffectiveLoad.TargetAt(options.DurationSeconds - 1e-6))
        {
            warnings.Add($"only {openAtEnd.ToString(CultureInfo.InvariantCulture)} connections were open at the end of the window");
        }

        SlowSummary? slow = options.Scenario == ScenarioKind.Slow
            ? new SlowSummary
            {
                Connections = workers.Sum(s => s.SlowConnections),
                ClosedByServer = workers.Sum(s => s.SlowClosedByServer),
                ClosesByCode = MergeCounts(workers.Select(s => s.SlowClosesByCode)),
                DrainedMessages = workers.Sum(s => s.SlowDrainedMessages),
            }
            : null;

        SortedDictionary<string, double>? counters = input.MetricsStart is not null && input.MetricsEnd is not null
            ? MetricsScraper.CounterDeltas(input.MetricsStart, input.MetricsEnd)
            : null;

        return new RunResult
        {
            Case = options.Case ?? options.Scenario.ToString().ToLowerInvariant(),
            Label = label,
            Scenario = options.Scenario.ToString().ToLowerInvariant(),
            ServerName = input.ServerName ?? workers.Select(s => s.ServerName).FirstOrDefault(n => n is not null),
            StartedAt = input.StartedAt,
            Settings = new RunSettingsSummary
            {
                Url = options.Url.ToString(),
                Connections = options.Connections,
                SymbolsPerConnection = input.Plan.SymbolsPerConnection,
                Symbols = input.Plan.Universe.Count,
                Load = options.EffectiveLoad.ToString(),
                DurationSeconds = options.DurationSeconds,
                WarmupSeconds = options.WarmupSeconds,
                Deflate = options.OffersDeflate,
                SlowShare = input.Plan.SlowShare,
                HoldMs = options.HoldMs,
                PingMs = options.PingMs,
                Threads = options.Threads,
                CommandLine = string.Join(' ', Environment.GetCommandLineArgs().Skip(1)),
            },
            WindowSeconds = Math.Round(window, 3),
            DeliveredMessages = delivered,
            DeliveredPerSecond = Math.Round(delivered / window, 1),
            OfferedPerSecond = options.OfferedPerSecond,
            ExpectedBySeq = delivered + gaps,
            Messages = messages,
            WireBytes = wireBytes,
            WireBytesPerSecond = Math.Round(wireBytes / window, 1),
            PayloadBytes = workers.Sum(s => s.WindowPayloadBytes),
            LatencyMicros = latency.Summarize(),
            SeqGaps = gaps,
            SeqRegressions = workers.Sum(s => s.SeqRegressions),
            FutureTimestamps = future,
            Snapshots = workers.Sum(s => s.Snapshots),
            UnexpectedSymbols = workers.Sum(s => s.UnexpectedSymbols),
            MalformedQuotes = workers.Sum(s => s.MalformedQuotes),
            Heartbeats = workers.Sum(s => s.Heartbeats),
            ErrorReplies = workers.Sum(s => s.ErrorReplies),
            ServerPings = workers.Sum(s => s.ServerPings),
            ClosesByCode = MergeCounts(workers.Select(s => s.ClosesByCode)),
            Connections = new ConnectionSummary
            {
                Target = options.Connections,
                OpenAtEnd = openAtEnd,
                Opened = workers.Sum(s => s.ConnectionsOpened),
                ConnectErrors = workers.Sum(s => s.ConnectErrors),
                ConnectErrnos = MergeCounts(workers.Select(s => s.ConnectErrnos)),
                HandshakeFailures = workers.Sum(s => s.HandshakeFailures),
                HandshakeStatus = MergeCounts(workers.Select(s => s.HandshakeStatus)),
                HandshakeTimeouts = workers.Sum(s => s.HandshakeTimeouts),
                ProtocolViolations = workers.Sum(s => s.ProtocolViolations),
                MissingWelcome = workers.Sum(s => s.MissingWelcome),
                HandshakeMicros = handshake.Summarize(),
                ReadyMicros = ready.Summarize(),
                ChurnCycles = workers.Sum(s => s.ChurnCycles),
                ChurnCyclesPerSecond = Math.Round(workers.Sum(s => s.WindowChurnCycles) / window, 1),
            },
            Slow = slow,
            Server = server,
            Runner = runner,
            PingRoundTripMicros = ping.Count > 0 ? ping.Summarize() : null,
            ServerCounters = counters,
            Timeline = BuildTimeline(input),
            Warnings = warnings,
        };
    }

    private static ServerUsage? BuildServerUsage(ResultInput input, long delivered, double window)
    {
        if (input.ServerPid is not int pid || input.ServerWindowStart is not ProcessSample start || input.ServerWindowEnd is not ProcessSample end)
        {
            return null;
        }

        double wall = (double)(end.Timestamp - start.Timestamp) / Stopwatch.Frequency;
        double cpu = end.CpuSeconds - start.CpuSeconds;
        long open = input.OpenAtWindowEnd;
        long before = input.ServerBefore?.RssBytes ?? 0;
        return new ServerUsage
        {
            Pid = pid,
            CpuSeconds = Math.Round(cpu, 3),
            CpuPercent = wall > 0 ? Math.Round(cpu / wall * 100, 1) : 0,
            CpuNanosPerDelivered = delivered > 0 ? Math.Round(cpu * 1e9 / delivered, 1) : null,
            RssBeforeBytes = before,
            RssEndBytes = end.RssBytes,
            RssPerConnectionBytes = open > 0 && before > 0 ? Math.Round((double)(end.RssBytes - before) / open, 0) : null,
            CpuMicrosPerConnectionSecond = open > 0 && window > 0 ? Math.Round(cpu * 1e6 / window / open, 3) : null,
        };
    }

    private static RunnerUsage BuildRunnerUsage(ResultInput input, long messages)
    {
        double cpu = 0;
        double percent = 0;
        if (input.SelfWindowStart is ProcessSample start && input.SelfWindowEnd is ProcessSample end)
        {
            double wall = (double)(end.Timestamp - start.Timestamp) / Stopwatch.Frequency;
            cpu = end.CpuSeconds - start.CpuSeconds;
            percent = wall > 0 ? Math.Round(cpu / wall * 100, 1) : 0;
        }

        return new RunnerUsage
        {
            CpuSeconds = Math.Round(cpu, 3),
            CpuPercent = percent,
            CpuNanosPerMessage = messages > 0 ? Math.Round(cpu * 1e9 / messages, 1) : null,
            Threads = input.Options.Threads,
            ProcessorCount = Environment.ProcessorCount,
        };
    }

    private static List<TimelinePoint> BuildTimeline(ResultInput input)
    {
        int lastSecond = (int)Math.Ceiling(input.Options.DurationSeconds) - 1;
        var byTime = input.Seconds.Where(s => s.Second <= lastSecond).ToDictionary(s => s.Second);
        var points = new List<TimelinePoint>();
        for (int second = 0; second <= lastSecond; second++)
        {
            byTime.TryGetValue(second, out SecondSample sample);
            input.ControlSamples.TryGetValue(second, out (long Connections, double? ServerCpu, double RunnerCpu, long? ServerRss) control);
            points.Add(new TimelinePoint
            {
                Second = second,
                Quotes = sample.Quotes,
                WireBytes = sample.WireBytes,
                P50Micros = sample.Latency?.P50 ?? 0,
                P90Micros = sample.Latency?.P90 ?? 0,
                P99Micros = sample.Latency?.P99 ?? 0,
                MaxMicros = sample.Latency?.Max ?? 0,
                Connections = control.Connections,
                ServerCpuPercent = control.ServerCpu,
                RunnerCpuPercent = control.RunnerCpu,
                ServerRssBytes = control.ServerRss,
            });
        }

        return points;
    }

    private static SortedDictionary<string, long> MergeCounts(IEnumerable<Dictionary<int, long>> counts)
    {
        var merged = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (Dictionary<int, long> dictionary in counts)
        {
            foreach ((int key, long value) in dictionary)
            {
                string name = key.ToString(CultureInfo.InvariantCulture);
                merged[name] = merged.GetValueOrDefault(name) + value;
            }
        }

        return merged;
    }

    /// <summary>"marketpush/1.0" → "marketpush": a label usable in file names.</summary>
    private static string? SanitizeLabel(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        string head = serverName.Split('/')[0];
        string clean = new([.. head.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')]);
        return clean.Length == 0 ? null : clean;
    }
}
