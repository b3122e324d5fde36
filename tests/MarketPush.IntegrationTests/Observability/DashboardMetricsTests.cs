using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPush.IntegrationTests.Observability;

/// <summary>
/// Every metric a Grafana dashboard in dashboards/ queries is on /metrics from startup: once the server is ready and
/// before any client or limit flag, so no panel says "No data" on a healthy idle server for want of a series (the
/// connection-limit panels did, until the limit was exported as 0 = unlimited).
/// </summary>
public sealed partial class DashboardMetricsTests
{
    [Fact]
    public async Task EveryMetricTheDashboardsQuery_IsExported_FromStartup()
    {
        Dictionary<string, List<string>> queried = QueriedMetrics(Path.Combine(RepositoryRoot(), "dashboards"));
        Assert.True(queried.Count >= 30, $"only {queried.Count} metric names found in dashboards/*.json");

        await using ServerScope server = await ServerScope.StartAsync();
        // Ready means the feed has delivered (its lag gauge needs one update to measure); no client has connected.
        await WaitUntilReadyAsync(server);
        HashSet<string> exported = [.. (await MetricsScrape.GetAsync(server.Host.Port, server.Token)).Keys.Select(MetricName)];

        string[] missing = [.. queried.Where(q => !exported.Contains(q.Key)).Select(q => $"{q.Key} (queried by {string.Join(", ", q.Value)})")];
        Assert.True(missing.Length == 0, "not on /metrics at startup:\n" + string.Join("\n", missing));
    }

    [Fact]
    public void QueriedMetrics_ReadsEveryExpr_InNestedPanels_AsTheSampleNamesPrometheusStores()
    {
        string dir = Directory.CreateTempSubdirectory("dashboards").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "a.json"), """
                {"title": "A", "panels": [
                  {"type": "row", "title": "r", "panels": [{"title": "p1", "targets": [{"expr": "sum(rate(marketpush_x_total[5m])) / sum(marketpush_y)"}]}]},
                  {"title": "p2", "targets": [{"expr": "histogram_quantile(0.99, sum by (le) (rate(marketpush_z_seconds_bucket[1m])))"}]},
                  {"title": "p3", "description": "marketpush_not_a_query", "targets": []}
                ]}
                """);

            Dictionary<string, List<string>> queried = QueriedMetrics(dir);

            Assert.Equal(["marketpush_x_total", "marketpush_y", "marketpush_z_seconds_bucket"], queried.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(["a.json: p1"], queried["marketpush_y"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Metric name → the panels that query it, from every <c>expr</c> in every dashboards/*.json. Names are taken as
    /// written: a histogram is queried as <c>_bucket</c>, <c>_sum</c> or <c>_count</c>, which is also how its samples are
    /// named on /metrics, so each suffix is checked on its own.
    /// </summary>
    private static Dictionary<string, List<string>> QueriedMetrics(string dashboards)
    {
        var queried = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(dashboards, "*.json"))
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(file));
            Visit(document.RootElement, Path.GetFileName(file), "(dashboard)");
        }

        return queried;

        void Visit(JsonElement element, string file, string panel)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Visit(item, file, panel);
                }

                return;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                return;
            }

            if (element.TryGetProperty("title", out JsonElement title) && title.ValueKind == JsonValueKind.String)
            {
                panel = title.GetString()!;
            }

            foreach (JsonProperty property in element.EnumerateObject())
            {
                if (property.Name is "expr" or "query" or "definition" && property.Value.ValueKind == JsonValueKind.String) // panels, and template variables (label_values)
                {
                    foreach (Match name in MetricNamePattern().Matches(property.Value.GetString()!))
                    {
                        List<string> panels = queried.TryGetValue(name.Value, out List<string>? found) ? found : queried[name.Value] = [];
                        string where = $"{file}: {panel}";
                        if (!panels.Contains(where))
                        {
                            panels.Add(where);
                        }
                    }
                }
                else
                {
                    Visit(property.Value, file, panel);
                }
            }
        }
    }

    private static async Task WaitUntilReadyAsync(ServerScope server)
    {
        while ((await RawWebSocketClient.SendHttpAsync(
            server.Host.Port, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", server.Token)).StatusCode != 200)
        {
            await Task.Delay(20, server.Token);
        }
    }

    // A scraped series is name{labels}; the name is what a query selects.
    private static string MetricName(string series)
    {
        int brace = series.IndexOf('{', StringComparison.Ordinal);
        return brace < 0 ? series : series[..brace];
    }

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MarketPush.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MarketPush.sln not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("marketpush_[a-z0-9_]+")]
    private static partial Regex MetricNamePattern();
}
