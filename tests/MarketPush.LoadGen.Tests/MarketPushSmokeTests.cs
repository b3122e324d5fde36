using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Reports;
using MarketPush.LoadGen.Runner;
using MarketPush.Server;
using Microsoft.Extensions.Logging;

namespace MarketPush.LoadGen.Tests;

/// <summary>The runner for ~3 s against the real MarketPush server, in-process, as run-bench.sh would drive it.</summary>
public sealed class MarketPushSmokeTests
{
    [Fact(Timeout = 30_000)]
    public async Task Fanout_AgainstMarketPush_DeliversEveryUpdateInOrder_AndWritesTheReports()
    {
        await using MarketPushHost host = await MarketPushHost.StartAsync(new ServerOptions
        {
            Port = 0,
            Symbols = 4,
            Rate = 400,
            LogLevel = LogLevel.Warning,
            ShutdownTimeoutMs = 1_000,
        });
        var options = new RunOptions
        {
            Url = host.StreamUri,
            Scenario = ScenarioKind.Fanout,
            Connections = 20,
            SymbolsPerConnection = 2,
            ServerSymbols = 4,
            DurationSeconds = 3,
            WarmupSeconds = 1,
            Threads = 2,
            Quiet = true,
            ServerPid = Environment.ProcessId,
            MetricsUrl = new Uri($"http://127.0.0.1:{host.Port}/metrics"),
        };

        RunResult result = await LoadRunner.RunAsync(options, progress: null);

        // 400 quotes/s over 4 symbols, each symbol watched by 10 connections: about 4,000 deliveries a second.
        Assert.InRange(result.DeliveredPerSecond, 2_000, 6_000);
        Assert.Equal(0, result.SeqGaps);
        Assert.Equal(0, result.SeqRegressions);
        Assert.Equal(0, result.UnexpectedSymbols);
        Assert.Equal(0, result.MalformedQuotes);
        Assert.Equal(0, result.Snapshots);
        Assert.Empty(result.ClosesByCode);
        Assert.Equal(20, result.Connections.Opened);
        Assert.Equal(20, result.Connections.OpenAtEnd);
        Assert.Equal(result.DeliveredMessages, result.LatencyMicros.Count);
        Assert.InRange(result.LatencyMicros.P50, 0, 1_000_000);
        Assert.StartsWith("marketpush/", result.ServerName, StringComparison.Ordinal);
        Assert.NotNull(result.Server);

        string directory = Path.Combine(Path.GetTempPath(), "loadgen-smoke-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] files = ResultFiles.Write(result, directory, "smoke");
            Assert.Equal(result.DeliveredMessages, ResultJson.Deserialize(File.ReadAllText(files[0])).DeliveredMessages);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
