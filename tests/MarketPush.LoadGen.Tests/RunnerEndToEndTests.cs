using MarketPush.LoadGen.Options;
using MarketPush.LoadGen.Reports;
using MarketPush.LoadGen.Runner;

namespace MarketPush.LoadGen.Tests;

/// <summary>The whole runner (epoll workers, frame reader, scanner, results) against a server whose script is known.</summary>
public sealed class RunnerEndToEndTests
{
    private const int TestTimeoutMs = 30_000;

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Run_CountsEveryQuote_TheSeqGap_AndTheCloseCode()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(new ServerScript { Quotes = 40, SkippedSeq = 7 });

        RunResult result = await LoadRunner.RunAsync(Options(server.Port, connections: 6), progress: null);

        Assert.Equal(6 * 39, result.DeliveredMessages);
        Assert.Equal(6, result.SeqGaps);
        Assert.Equal(6 * 40, result.ExpectedBySeq);
        Assert.Equal(0, result.SeqRegressions);
        Assert.Equal(new SortedDictionary<string, long> { ["4001"] = 6 }, result.ClosesByCode);
        Assert.Equal(6, result.Connections.Opened);
        Assert.Equal(6, result.Connections.ReadyMicros.Count);
        Assert.Equal(6 * 39, result.LatencyMicros.Count);
        Assert.InRange(result.LatencyMicros.P50, 0, 5_000_000);
        Assert.Equal("scripted/1.0", result.ServerName);
        Assert.Equal(0, result.Connections.OpenAtEnd);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Run_RetriesRefusedHandshakes_AndReportsTheirStatus()
    {
        // Request 1 is the preflight; 2 and 3 are refused with 503 and retried.
        await using ScriptedServer server = await ScriptedServer.StartAsync(new ServerScript { Quotes = 5, RefusedRequests = [2, 3] });

        RunResult result = await LoadRunner.RunAsync(Options(server.Port, connections: 3), progress: null);

        Assert.Equal(new SortedDictionary<string, long> { ["503"] = 2 }, result.Connections.HandshakeStatus);
        Assert.Equal(3, result.Connections.Opened);
        Assert.Equal(3 * 5, result.DeliveredMessages);
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Run_InflatesCompressedMessages_WhenDeflateIsNegotiated()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(new ServerScript { Quotes = 30, EnableCompression = true });
        RunOptions options = Options(server.Port, connections: 4);
        options.Scenario = ScenarioKind.Compression;

        RunResult result = await LoadRunner.RunAsync(options, progress: null);

        Assert.Equal(4 * 30, result.DeliveredMessages);
        Assert.Equal(0, result.Connections.ProtocolViolations);
        Assert.Equal(0, result.MalformedQuotes);
        Assert.True(result.Settings.Deflate);
        Assert.DoesNotContain(result.Warnings, w => w.Contains("deflate", StringComparison.Ordinal));
    }

    [Fact(Timeout = TestTimeoutMs)]
    public async Task Run_ReassemblesFragmentedMessages_AndAnswersServerPings()
    {
        await using ScriptedServer server = await ScriptedServer.StartAsync(new ServerScript
        {
            Quotes = 25,
            FragmentBytes = 7,
            QuoteInterval = TimeSpan.FromMilliseconds(40),
            PingInterval = TimeSpan.FromMilliseconds(100),
        });
        RunOptions options = Options(server.Port, connections: 3);
        options.DurationSeconds = 2.5;

        RunResult result = await LoadRunner.RunAsync(options, progress: null);

        Assert.Equal(3 * 25, result.DeliveredMessages);
        Assert.Equal(0, result.SeqGaps);
        Assert.Equal(0, result.Connections.ProtocolViolations);
        Assert.True(result.ServerPings >= 3, $"only {result.ServerPings} pings seen");
        // Had a pong gone missing, the server's keep-alive timeout would have aborted the connection (1006).
        Assert.Equal(new SortedDictionary<string, long> { ["4001"] = 3 }, result.ClosesByCode);
    }

    private static RunOptions Options(int port, int connections) => new()
    {
        Url = new Uri($"ws://127.0.0.1:{port}/v1/stream"),
        Scenario = ScenarioKind.Fanout,
        Connections = connections,
        ServerSymbols = 4,
        DurationSeconds = 2,
        WarmupSeconds = 0,
        Threads = 2,
        Quiet = true,
    };
}
