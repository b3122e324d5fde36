using System.Diagnostics;
using System.Globalization;
using System.Text;
using MarketPush.IntegrationTests.Pipeline;
using MarketPush.Server;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// Issue 5's proof that the dashboard works: a real Prometheus (Debian's) scrapes a MarketPush server under synthetic
/// load, and every panel query of dashboards/marketpush.json returns data through Prometheus's HTTP API, the way
/// Grafana would ask for it. The alert rules are loaded into the same Prometheus and must evaluate cleanly, with the
/// slow-consumer alert firing and the connection-limit alert pending for the load the test drove.
/// </summary>
/// <remarks>
/// In the isolation collection: the test runs a server, about ten clients and Prometheus for ~30 s, which would
/// distort the latency measurements of tests running beside it.
/// </remarks>
[Collection(IsolationCollection.Name)]
public sealed class RealPrometheusTests(ITestOutputHelper output)
{
    private const int ConnectionLimit = 10;

    // Prometheus must hold a zero sample of every counter before the first rare event happens: increase() and
    // rate() need two samples, so a counter first seen at 1 would show nothing (and no alert would fire).
    private const int ScrapesBeforeLoad = 2;

    // After the last event: enough scrapes for every $__rate_interval window (10 s at 1 s scrapes) to hold the load.
    private const int ScrapesAfterLoad = 6;
    private const int MinimumScrapes = 15;

    private static readonly TimeSpan s_testTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EveryDashboardPanel_ReturnsData_FromARealPrometheusScrapingAServerUnderLoad()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        CancellationToken token = timeout.Token;
        var clock = Stopwatch.StartNew();
        string dashboards = Path.Combine(RepositoryRoot(), "dashboards");
        IReadOnlyList<DashboardQuery> queries = GrafanaDashboard.Queries(Path.Combine(dashboards, "marketpush.json"));
        Assert.True(queries.Count >= 40, $"only {queries.Count} panel queries found in marketpush.json");

        ServerOptions options = ServerOptions.Parse(
        [
            "--port", "0", "--log-level", "Warning",
            "--symbols", "20", "--rate", "3000", "--seed", "5",
            // Most book and quote messages are over 128 bytes: the deflate reader gets a steady compressed stream.
            "--compression-threshold", "128",
            "--max-connections", ConnectionLimit.ToString(CultureInfo.InvariantCulture),
            "--slow-consumer-ms", "2000",
            "--shutdown-timeout-ms", "1000",
        ]);
        MarketPushHost host = await MarketPushHost.StartAsync(options, token);
        var failures = new List<string>();
        var report = new StringBuilder();
        IReadOnlyList<string> events = [];
        string prometheusLog = string.Empty;
        try
        {
            using PrometheusServer prometheus = await PrometheusServer.StartAsync(dashboards, host.Port, token);
            try
            {
                await prometheus.WaitForScrapesAsync(ScrapesBeforeLoad, token);
                Phase($"prometheus on 127.0.0.1:{prometheus.Port} scraped the idle server {ScrapesBeforeLoad} times");

                await using (var load = new MarketLoad(host, token))
                {
                    try
                    {
                        await load.StartReadersAsync();
                        Task stalled = load.StallUntilClosedAsSlowConsumerAsync(TimeSpan.FromSeconds(20));
                        await load.ChurnAsync(clients: 4, each: TimeSpan.FromMilliseconds(400));
                        await load.SendBadHandshakesAsync();
                        await stalled;
                        int overLimit = await load.FillToLimitAndOverflowAsync(ConnectionLimit);
                        Assert.True(overLimit == 503, $"an upgrade over --max-connections {ConnectionLimit} was answered {overLimit}, not 503");
                        Phase($"load driven; clients read {load.MessagesRead} messages");

                        double scraped = await prometheus.QueryScalarAsync($"sum_over_time(up{{job=\"{PrometheusServer.JobName}\"}}[5m])", token);
                        await prometheus.WaitForScrapesAsync(Math.Max(MinimumScrapes, (int)scraped + ScrapesAfterLoad), token);
                        Phase("prometheus scraped the loaded server");

                        await CheckTargetAsync(prometheus, failures, token);
                        await CheckPanelsAsync(prometheus, queries, failures, report, token);
                        await CheckLoadIsVisibleAsync(prometheus, host.SessionCount, failures, report, token);
                        await CheckRuntimeMetricsAsync(prometheus, failures, report, token);
                        await CheckAlertRulesAsync(prometheus, failures, report, token);
                        Phase($"{queries.Count} panel queries and the alert rules checked");
                    }
                    finally
                    {
                        events = [.. load.Events];
                    }
                }
            }
            finally
            {
                prometheusLog = prometheus.Log;
            }
        }
        finally
        {
            output.WriteLine(string.Join('\n', events));
            output.WriteLine(report.ToString());
            await host.StopAsync().WaitAsync(TimeSpan.FromSeconds(15), CancellationToken.None);
            await host.DisposeAsync();
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} problem(s) seen through Prometheus:\n  {string.Join("\n  ", failures)}\n\n"
            + $"Load:\n  {string.Join("\n  ", events)}\n\nPrometheus log:\n{prometheusLog}");
        Assert.True(host.FramePool.Outstanding == 0, "Frame leak: " + host.FramePool.DescribeOutstanding());

        void Phase(string what) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,5:F1} s] {what}");
    }

    // The scrape itself: a target that is down or whose last scrape failed (bad exposition) explains every empty panel.
    private static async Task CheckTargetAsync(PrometheusServer prometheus, List<string> failures, CancellationToken token)
    {
        (string health, string lastError) = await prometheus.TargetAsync(token);
        if (health != "up" || lastError.Length > 0)
        {
            failures.Add($"scrape target health '{health}', last error '{lastError}'");
        }
    }

    // Every target of every panel, as Grafana sends it with "All" instances selected: it must parse, return at least
    // one series, and at least one real number (a NaN-only answer is a 0/0 ratio or an empty histogram: a blank panel).
    private static async Task CheckPanelsAsync(
        PrometheusServer prometheus, IReadOnlyList<DashboardQuery> queries, List<string> failures, StringBuilder report, CancellationToken token)
    {
        foreach (DashboardQuery query in queries)
        {
            if (query.PromQl.Contains('$', StringComparison.Ordinal))
            {
                failures.Add($"{query}: a variable Grafana would not resolve is left in '{query.PromQl}'");
                continue;
            }

            PrometheusQueryResult result = await prometheus.QueryAsync(query.PromQl, token);
            report.Append(query.PanelTitle).Append(" (").Append(query.RefId).Append("): ").Append(result).Append('\n');
            if (!result.IsSuccess)
            {
                failures.Add($"{query}: query failed: {result.Error}");
            }
            else if (result.Values.Count == 0)
            {
                failures.Add($"{query}: no data (no series matched)");
            }
            else if (!result.HasData)
            {
                failures.Add($"{query}: only NaN (nothing happened in the {GrafanaDashboard.RateInterval} window)");
            }
        }
    }

    // "Returns data" could still be a flat zero. What the load did must show as numbers, with the right labels: each
    // of these counts something the test made happen, so each must be above zero (and the gauge exact).
    private static async Task CheckLoadIsVisibleAsync(
        PrometheusServer prometheus, int openSessions, List<string> failures, StringBuilder report, CancellationToken token)
    {
        const string Window = "[" + GrafanaDashboard.RateInterval + "]";
        foreach ((string promQl, int series, string what) in new[]
        {
            ("sum by (encoding, compressed) (rate(marketpush_transport_sent_messages_total" + Window + ")) > 0", 3,
                "messages sent to the JSON, MessagePack and deflate (json, compressed) readers"),
            ("sum by (encoding, compressed) (rate(marketpush_transport_sent_bytes_total" + Window + ")) > 0", 3,
                "bytes sent to the JSON, MessagePack and deflate readers"),
            ("sum(rate(marketpush_transport_write_frames_count" + Window + ")) > 0", 1, "socket writes"),
            ("sum(rate(marketpush_transport_tick_age_seconds_count" + Window + ")) > 0", 1, "tick ages recorded at socket writes"),
            ("sum(rate(marketpush_session_outbound_queue_frames_count" + Window + ")) > 0", 1, "send-loop wake-ups with a queue depth"),
            ("sum(rate(marketpush_feed_received_updates_total" + Window + ")) > 0", 1, "feed updates arriving"),
            ("sum(rate(marketpush_compression_messages_total" + Window + ")) > 0", 1, "messages compressed for the deflate reader"),
            ("sum(marketpush_session_subscriptions) > 0", 1, "subscriptions"),
            ("sum by (result) (increase(marketpush_transport_handshakes_total{result=~\"accepted|bad_request|unsupported_version|over_limit\"}[5m])) > 0", 4,
                "handshakes accepted, refused as bad_request (no key), unsupported_version (8) and over_limit (503)"),
            ("sum(increase(marketpush_session_closes_total{code=\"4001\",reason=\"slow_consumer\"}[5m])) > 0", 1, "the stalled client's 4001 session close"),
            ("sum(increase(marketpush_session_closes_total{code=\"1000\"}[5m])) > 0", 1, "the churn clients' normal (1000) session closes"),
            ("sum(increase(marketpush_session_slow_consumer_closes_total{reason=\"queue_full\"}[5m])) > 0", 1, "the slow-consumer close by reason"),
            ("sum(increase(marketpush_session_conflated_updates_total{reason=\"queue_full\"}[5m])) > 0", 1, "updates conflated for the stalled client"),
            ("sum(increase(marketpush_session_dropped_updates_total[5m])) > 0", 1, "updates dropped for the stalled client"),
        })
        {
            PrometheusQueryResult result = await prometheus.QueryAsync(promQl, token);
            report.Append("load: ").Append(promQl).Append(": ").Append(result).Append('\n');
            if (!result.IsSuccess || result.Values.Count(v => v > 0) < series)
            {
                failures.Add($"load not visible: expected {what} ({series} series above 0): '{promQl}' returned {result}");
            }
        }

        const string Open = "sum(marketpush_transport_open_connections)";
        double open = await prometheus.QueryScalarAsync(Open, token);
        report.Append("load: ").Append(Open).Append(": ").Append(open.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (open != openSessions)
        {
            failures.Add($"open connections: Prometheus has {open.ToString(CultureInfo.InvariantCulture)}, the server has {openSessions} sessions open");
        }
    }

    // Issue 5 asks for the .NET runtime's GC, thread-pool and allocation figures in the scrape: present, and moving
    // the way a busy process's do.
    private static async Task CheckRuntimeMetricsAsync(PrometheusServer prometheus, List<string> failures, StringBuilder report, CancellationToken token)
    {
        foreach ((string promQl, string what) in new[]
        {
            ("rate(marketpush_runtime_gc_allocated_bytes_total[10s]) > 0", "allocation rate above zero"),
            ("count(marketpush_runtime_gc_collections_total) >= 3", "collection counters for gen0, gen1 and gen2"),
            ("sum(marketpush_runtime_gc_heap_bytes) > 0", "a managed heap size"),
            ("marketpush_runtime_threadpool_threads > 0", "thread-pool threads"),
            ("rate(marketpush_runtime_threadpool_completed_items_total[10s]) > 0", "thread-pool work items completing"),
            ("rate(process_cpu_seconds_total[10s]) > 0", "CPU time growing"),
        })
        {
            PrometheusQueryResult result = await prometheus.QueryAsync(promQl, token);
            report.Append("runtime: ").Append(promQl).Append(": ").Append(result).Append('\n');
            if (!result.IsSuccess || !result.HasData)
            {
                failures.Add($"runtime metrics: expected {what}: '{promQl}' returned {result}");
            }
        }
    }

    // alerts.yml loaded into the same Prometheus: every rule evaluates without error against the real series, the
    // slow-consumer alert fires for the 4001 close the load caused (it has no 'for'), and the connection-limit alert is
    // pending (open = limit, over 90 %; it fires only after 2 minutes).
    private static async Task CheckAlertRulesAsync(PrometheusServer prometheus, List<string> failures, StringBuilder report, CancellationToken token)
    {
        List<(string Name, string Health, string LastError, string State)> rules = await prometheus.AlertRulesAsync(token);
        foreach ((string name, string health, string lastError, string state) in rules)
        {
            report.Append("alert ").Append(name).Append(": ").Append(health).Append(", ").Append(state).Append('\n');
            if (health != "ok")
            {
                failures.Add($"alert {name}: evaluation health '{health}': {lastError}");
            }
        }

        if (rules.Count != 5)
        {
            failures.Add($"alerts.yml: Prometheus loaded {rules.Count} alerting rules, expected 5");
        }

        ExpectState("MarketPushSlowConsumersClosing", "firing");
        ExpectState("MarketPushConnectionsNearLimit", "pending");

        void ExpectState(string alert, string expected)
        {
            string state = rules.FirstOrDefault(r => r.Name == alert).State ?? "missing";
            if (state != expected)
            {
                failures.Add($"alert {alert}: state '{state}', expected '{expected}'");
            }
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new XunitException($"MarketPush.sln not found above {AppContext.BaseDirectory}");
    }
}
