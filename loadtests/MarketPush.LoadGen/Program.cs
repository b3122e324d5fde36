using System.Globalization;
using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Reports;
using MarketPush.LoadGen.Runner;

namespace MarketPush.LoadGen;

/// <summary>
/// Entry point: <c>run</c> (the default) drives one scenario and writes its JSON, Markdown and HTML results;
/// <c>summarize</c> folds a directory of JSON results into the side-by-side bench summary. Exit codes: 0 done,
/// 1 the run failed (server unreachable, worker error), 2 bad options, 3 the watchdog had to stop a run that
/// overran its duration (it never should).
/// </summary>
internal static class Program
{
    private const int ExitOk = 0;
    private const int ExitFailed = 1;
    private const int ExitBadOptions = 2;
    private const int ExitWatchdog = 3;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.Out.WriteLine(args.Length > 0 && args[0] == "summarize" ? SummarizeOptions.Usage : RunOptions.Usage);
            return args.Length == 0 ? ExitBadOptions : ExitOk;
        }

        if (args[0] == "summarize")
        {
            return Summarize(args);
        }

        RunOptions options;
        try
        {
            options = RunOptions.Parse(args);
        }
        catch (LoadGenOptionsException ex)
        {
            await Console.Error.WriteLineAsync("loadgen: " + ex.Message).ConfigureAwait(false);
            return ExitBadOptions;
        }

        // Belt and braces: the run is bounded by its own clock; if anything ever hangs, the process still ends.
        TimeSpan limit = TimeSpan.FromSeconds(options.DurationSeconds + 60);
        using var watchdog = new Timer(
            _ =>
            {
                Console.Error.WriteLine($"loadgen: watchdog: the run overran its duration by 60 s; exiting");
                Environment.Exit(ExitWatchdog);
            },
            null,
            limit,
            Timeout.InfiniteTimeSpan);
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        RunResult result;
        try
        {
            result = await LoadRunner.RunAsync(options, Console.Error, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("loadgen: cancelled").ConfigureAwait(false);
            return ExitFailed;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync("loadgen: " + ex.Message).ConfigureAwait(false);
            return ExitFailed;
        }

        string stem = options.Name ?? $"{result.Case}-{result.Label}-{result.StartedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        string[] written = ResultFiles.Write(result, options.OutputDirectory, stem);
        Console.Out.WriteLine(
            $"{result.Case} {result.Label}: delivered {ReportFormat.Rate(result.DeliveredPerSecond)} msg/s, p50/p90/p99/p99.9/max {ReportFormat.Percentiles(result.LatencyMicros)} ms, "
            + $"gaps {result.SeqGaps}, closes {ReportFormat.Counts(result.ClosesByCode)}"
            + (result.Server?.CpuNanosPerDelivered is double ns ? $", server {ns:0} ns/msg" : "")
            + (result.Server?.RssPerConnectionBytes is double rss ? $", RSS/conn {ReportFormat.Bytes(rss)}" : "")
            + $", runner CPU {result.Runner.CpuPercent:0}%");
        foreach (string warning in result.Warnings)
        {
            Console.Out.WriteLine("warning: " + warning);
        }

        foreach (string path in written)
        {
            Console.Out.WriteLine("wrote " + path);
        }

        return ExitOk;
    }

    private static int Summarize(string[] args)
    {
        SummarizeOptions options;
        try
        {
            options = SummarizeOptions.Parse(args);
        }
        catch (LoadGenOptionsException ex)
        {
            Console.Error.WriteLine("loadgen summarize: " + ex.Message);
            Console.Error.WriteLine(SummarizeOptions.Usage);
            return ExitBadOptions;
        }

        string input = options.InputDirectory!, output = options.OutputFile!;
        string? notes = options.NotesFile is null ? null : File.ReadAllText(options.NotesFile);
        string reference = options.Reference, title = options.Title;
        var results = new List<RunResult>();
        foreach (string file in Directory.EnumerateFiles(input, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                results.Add(ResultJson.Deserialize(File.ReadAllText(file)));
            }
            catch (System.Text.Json.JsonException ex)
            {
                Console.Error.WriteLine($"loadgen summarize: skipping {file}: {ex.Message}");
            }
        }

        string markdown = BenchSummaryWriter.Write(results, reference, title, notes);
        File.WriteAllText(output, markdown);
        Console.Out.WriteLine($"wrote {output} ({results.Count} runs)");
        return ExitOk;
    }
}
