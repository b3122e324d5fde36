using System.Globalization;
using MarketPush.LoadGen.Measure;
using MarketPush.LoadGen.Net;

namespace MarketPush.LoadGen.Runner;

/// <summary>
/// The live progress line, once a second: connections, delivered rate, bandwidth, latency of the last complete second,
/// gaps, closes and both processes' CPU. Rewrites one terminal line when the output is a console, else prints one line
/// per second (logs, CI). Control thread only.
/// </summary>
internal sealed class ProgressLine
{
    private readonly TextWriter? _output;
    private readonly bool _rewrite;
    private long _lastQuotes;
    private long _lastBytes;
    private long _lastTimestamp;
    private bool _wroteAny;

    public ProgressLine(TextWriter? output, bool quiet)
    {
        _output = quiet ? null : output;
        _rewrite = _output is not null && ReferenceEquals(_output, Console.Error) && !Console.IsErrorRedirected;
    }

    public void Write(int second, int target, IReadOnlyList<IoWorker> workers, SecondSample? lastSecond, double? serverCpu, double runnerCpu, bool measuring)
    {
        if (_output is null)
        {
            return;
        }

        long quotes = 0, bytes = 0, open = 0, gaps = 0, closes = 0;
        foreach (IoWorker worker in workers)
        {
            WorkerStats stats = worker.Stats;
            quotes += Volatile.Read(ref stats.Quotes);
            bytes += Volatile.Read(ref stats.WireBytes);
            open += Volatile.Read(ref stats.OpenConnections);
            gaps += Volatile.Read(ref stats.SeqGaps);
            closes += Volatile.Read(ref stats.ClosesByServer);
        }

        long now = System.Diagnostics.Stopwatch.GetTimestamp();
        double elapsed = _lastTimestamp == 0 ? 1 : (double)(now - _lastTimestamp) / System.Diagnostics.Stopwatch.Frequency;
        double rate = (quotes - _lastQuotes) / elapsed;
        double megabytes = (bytes - _lastBytes) / elapsed / 1e6;
        _lastQuotes = quotes;
        _lastBytes = bytes;
        _lastTimestamp = now;

        string latency = lastSecond is SecondSample s && s.Latency.Count > 0
            ? $"p50 {Ms(s.Latency.P50)} p99 {Ms(s.Latency.P99)} max {Ms(s.Latency.Max)} ms"
            : "p50 - p99 - max - ms";
        string server = serverCpu is double cpu ? cpu.ToString("0", CultureInfo.InvariantCulture) + "%" : "-";
        string line = string.Create(
            CultureInfo.InvariantCulture,
            $"[{second,4}s{(measuring ? "*" : " ")}] conns {open}/{target}  recv {LoadRunner.FormatRate(rate)} msg/s  {megabytes:0.0} MB/s  {latency}  gaps {gaps}  closes {closes}  cpu server {server} runner {runnerCpu:0}%");
        if (_rewrite)
        {
            _output.Write("\r" + line.PadRight(150));
        }
        else
        {
            _output.WriteLine(line);
        }

        _wroteAny = true;
    }

    public void Finish()
    {
        if (_output is not null && _rewrite && _wroteAny)
        {
            _output.WriteLine();
        }
    }

    private static string Ms(long micros) => (micros / 1000.0).ToString(micros < 10_000 ? "0.00" : "0.0", CultureInfo.InvariantCulture);
}
