using System.Diagnostics;
using System.Globalization;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Net;
using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Reports;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// Runs one scenario end to end: preflight, the I/O workers, the load simulation, the measurement window, the live
/// progress line, and the <see cref="RunResult"/>. This is the control thread: it wakes ten times a second to move
/// the connection target, samples /proc once a second and at the window's edges, and never touches a socket of the
/// workers. Bounded: it stops at the end of the duration whatever happens, and a worker that does not stop within a
/// few seconds is abandoned (the process exits anyway).
/// </summary>
public static class LoadRunner
{
    private static readonly TimeSpan s_controlPeriod = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_joinTimeout = TimeSpan.FromSeconds(5);

    public static async Task<RunResult> RunAsync(RunOptions options, TextWriter? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        var warnings = new List<string>();

        bool askSymbols = options.Scenario == ScenarioKind.Replay && options.SymbolsList is null;
        (string? serverName, IReadOnlyList<string>? discovered) = await PreflightClient.RunAsync(options.Url, askSymbols, cancellationToken).ConfigureAwait(false);
        SymbolUniverse universe = options.SymbolsList is not null ? SymbolUniverse.FromList(options.SymbolsList)
            : discovered is not null ? SymbolUniverse.FromList(discovered)
            : SymbolUniverse.Generated(options.SymbolPrefix, options.ServerSymbols);
        if (universe.Count == 0)
        {
            throw new InvalidOperationException("the symbol universe is empty (the server listed no symbols)");
        }

        var plan = new ScenarioPlan(options, universe);
        ProcessSampler? server = options.ServerPid is int pid ? new ProcessSampler(pid) : null;
        var self = new ProcessSampler(Environment.ProcessId);
        using MetricsScraper? scraper = options.MetricsUrl is null ? null : new MetricsScraper(options.MetricsUrl);
        ProcessSample? serverBefore = server?.TrySample();
        if (server is not null && serverBefore is null)
        {
            warnings.Add($"cannot read /proc/{server.Pid}: no server CPU or RSS figures");
        }

        LoadSimulation load = options.EffectiveLoad;
        var clock = new RunClock(Stopwatch.GetTimestamp(), options.WarmupSeconds, options.DurationSeconds);
        var timeline = new TimelineAggregator(options.Threads);
        var workers = new IoWorker[options.Threads];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new IoWorker(i, workers.Length, plan, clock, timeline);
        }

        foreach (IoWorker worker in workers)
        {
            worker.Start();
        }

        var progressLine = new ProgressLine(progress, options.Quiet);
        var controlSamples = new Dictionary<int, (long Connections, double? ServerCpu, double RunnerCpu, long? ServerRss)>();
        var seconds = new List<SecondSample>();
        ProcessSample? serverWindowStart = null, serverWindowEnd = null, selfWindowStart = null, selfWindowEnd = null;
        Dictionary<string, double>? metricsStart = null, metricsEnd = null;
        long openAtWindowEnd = 0;
        ProcessSample? serverLast = serverBefore;
        ProcessSample? selfLast = self.TrySample();
        int lastSecond = -1;
        Exception? workerFailure = null;
        try
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long now = Stopwatch.GetTimestamp();
                double elapsed = clock.ElapsedSeconds(now);
                int target = load.TargetAt(elapsed);
                foreach (IoWorker worker in workers)
                {
                    worker.DesiredConnections = target;
                    workerFailure ??= worker.Failure;
                }

                if (workerFailure is not null)
                {
                    break;
                }

                if (serverWindowStart is null && selfWindowStart is null && now >= clock.WindowStart)
                {
                    selfWindowStart = self.TrySample();
                    serverWindowStart = server?.TrySample();
                    if (scraper is not null)
                    {
                        (metricsStart, string? error) = await scraper.ScrapeAsync(cancellationToken).ConfigureAwait(false);
                        AddWarning(warnings, error);
                    }
                }

                if (now >= clock.WindowEnd)
                {
                    selfWindowEnd = self.TrySample();
                    serverWindowEnd = server?.TrySample();
                    openAtWindowEnd = workers.Sum(w => Volatile.Read(ref w.Stats.OpenConnections));
                    if (lastSecond >= 0)
                    {
                        // The last (possibly partial) second gets its CPU and connection sample too.
                        controlSamples[lastSecond] = (openAtWindowEnd, Percent(serverLast, serverWindowEnd), Percent(selfLast, selfWindowEnd) ?? 0, serverWindowEnd?.RssBytes);
                    }

                    if (scraper is not null)
                    {
                        (metricsEnd, string? error) = await scraper.ScrapeAsync(cancellationToken).ConfigureAwait(false);
                        AddWarning(warnings, error);
                    }

                    break;
                }

                int second = (int)elapsed;
                if (second > lastSecond)
                {
                    // Once a second: CPU of both processes over the last second, then the progress line.
                    ProcessSample? serverNow = server?.TrySample();
                    ProcessSample? selfNow = self.TrySample();
                    double? serverCpu = Percent(serverLast, serverNow);
                    double runnerCpu = Percent(selfLast, selfNow) ?? 0;
                    serverLast = serverNow ?? serverLast;
                    selfLast = selfNow ?? selfLast;
                    long open = workers.Sum(w => Volatile.Read(ref w.Stats.OpenConnections));
                    if (lastSecond >= 0)
                    {
                        controlSamples[lastSecond] = (open, serverCpu, runnerCpu, serverNow?.RssBytes);
                    }

                    timeline.TakeCompleted(seconds);
                    progressLine.Write(second, target, workers, seconds.Count > 0 ? seconds[^1] : null, serverCpu, runnerCpu, now >= clock.WindowStart);
                    lastSecond = second;
                }

                long wake = Math.Min(now + (long)(s_controlPeriod.TotalSeconds * Stopwatch.Frequency), now >= clock.WindowStart ? clock.WindowEnd : clock.WindowStart);
                TimeSpan delay = TimeSpan.FromSeconds(Math.Max(0, wake - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            foreach (IoWorker worker in workers)
            {
                worker.RequestStop();
            }

            foreach (IoWorker worker in workers)
            {
                if (!worker.Join(s_joinTimeout))
                {
                    warnings.Add("an I/O worker did not stop within 5 s and was abandoned");
                }
            }

            progressLine.Finish();
        }

        foreach (IoWorker worker in workers)
        {
            workerFailure ??= worker.Failure;
        }

        if (workerFailure is not null)
        {
            foreach (IoWorker worker in workers)
            {
                worker.Dispose();
            }

            throw new InvalidOperationException("an I/O worker failed: " + workerFailure.Message, workerFailure);
        }

        timeline.TakeRemaining(seconds);
        var input = new ResultInput(options, plan, clock, workers.Select(w => w.Stats).ToArray(), startedAt, serverName)
        {
            ServerPid = server?.Pid,
            ServerBefore = serverBefore,
            ServerWindowStart = serverWindowStart,
            ServerWindowEnd = serverWindowEnd,
            SelfWindowStart = selfWindowStart,
            SelfWindowEnd = selfWindowEnd,
            MetricsStart = metricsStart,
            MetricsEnd = metricsEnd,
            OpenAtWindowEnd = openAtWindowEnd,
            Seconds = seconds,
            ControlSamples = controlSamples,
            Warnings = warnings,
        };
        RunResult result = ResultBuilder.Build(input);
        foreach (IoWorker worker in workers)
        {
            worker.Dispose();
        }

        return result;
    }

    private static double? Percent(ProcessSample? from, ProcessSample? to)
    {
        if (from is not ProcessSample a || to is not ProcessSample b || b.Timestamp <= a.Timestamp)
        {
            return null;
        }

        double wall = (double)(b.Timestamp - a.Timestamp) / Stopwatch.Frequency;
        return Math.Round((b.CpuSeconds - a.CpuSeconds) / wall * 100, 1);
    }

    private static void AddWarning(List<string> warnings, string? warning)
    {
        if (warning is not null && !warnings.Contains(warning))
        {
            warnings.Add(warning);
        }
    }

    internal static string FormatRate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (perSecond / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        _ => perSecond.ToString("0", CultureInfo.InvariantCulture),
    };
}
