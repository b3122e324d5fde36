using System.Text.Json;
using System.Text.RegularExpressions;

namespace MarketPush.Engine.Tests.Metrics;

// dashboards/: the Grafana dashboard imports (datasource as an input, current schema), has the agreed rows, and
// every query, panel or alert, names only metrics that /metrics exports (MetricNames).
public sealed partial class DashboardTests
{
    private static readonly string[] s_rows = ["Clients", "Throughput", "Freshness / latency", "Backpressure", "Feeds", "Runtime"];

    [Fact]
    public void Dashboard_IsImportable_WithThePrometheusDatasourceAsAnInputVariable()
    {
        using JsonDocument document = LoadDashboard();
        JsonElement root = document.RootElement;

        JsonElement input = Assert.Single(root.GetProperty("__inputs").EnumerateArray());
        Assert.Equal("DS_PROMETHEUS", input.GetProperty("name").GetString());
        Assert.Equal("datasource", input.GetProperty("type").GetString());
        Assert.Equal("prometheus", input.GetProperty("pluginId").GetString());
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 39);
        Assert.Equal(JsonValueKind.Null, root.GetProperty("id").ValueKind);
        Assert.False(string.IsNullOrEmpty(root.GetProperty("uid").GetString()));
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
    }

    [Fact]
    public void Dashboard_HasTheAgreedRows_InOrder_EachWithPanels()
    {
        using JsonDocument document = LoadDashboard();
        List<JsonElement> panels = [.. document.RootElement.GetProperty("panels").EnumerateArray()];

        Assert.Equal(s_rows, panels.Where(IsRow).Select(p => p.GetProperty("title").GetString()).ToArray());
        for (int i = 0; i < panels.Count; i++)
        {
            if (IsRow(panels[i]))
            {
                Assert.True(i + 1 < panels.Count && !IsRow(panels[i + 1]), $"row '{panels[i].GetProperty("title")}' is empty");
            }
        }
    }

    [Fact]
    public void EveryPanel_QueriesThroughTheDatasourceInput_AndHasAQuery()
    {
        using JsonDocument document = LoadDashboard();
        var problems = new List<string>();
        foreach (JsonElement panel in Panels(document))
        {
            string title = panel.GetProperty("title").GetString()!;
            if (panel.GetProperty("datasource").GetProperty("uid").GetString() != "${DS_PROMETHEUS}")
            {
                problems.Add($"{title}: panel datasource");
            }

            JsonElement[] targets = [.. panel.GetProperty("targets").EnumerateArray()];
            if (targets.Length == 0)
            {
                problems.Add($"{title}: no query");
            }

            foreach (JsonElement target in targets)
            {
                if (target.GetProperty("datasource").GetProperty("uid").GetString() != "${DS_PROMETHEUS}"
                    || string.IsNullOrWhiteSpace(target.GetProperty("expr").GetString()))
                {
                    problems.Add($"{title} {target.GetProperty("refId")}: datasource or expr");
                }
            }
        }

        Assert.Equal([], problems);
    }

    [Fact]
    public void EveryPanelAndVariableQuery_UsesOnlyNamesFromMetricNames()
    {
        using JsonDocument document = LoadDashboard();
        var problems = new List<string>();
        foreach ((string where, string expr) in Expressions(document))
        {
            IReadOnlyList<string> names = PromQlNames.In(expr);
            if (names.Count == 0)
            {
                problems.Add($"{where}: no metric name found in '{expr}'");
            }

            problems.AddRange(names.Where(n => !ExportedMetrics.IsQueryable(n, out _)).Select(n => $"{where}: {n}"));
        }

        foreach (JsonElement variable in document.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            string query = variable.GetProperty("definition").GetString()!;
            problems.AddRange(PromQlNames.InVariableQuery(query).Where(n => !ExportedMetrics.IsQueryable(n, out _))
                .Select(n => $"variable {variable.GetProperty("name")}: {n}"));
        }

        Assert.Equal([], problems);
    }

    [Fact]
    public void EveryExportedMetric_IsShownOnSomePanel()
    {
        using JsonDocument document = LoadDashboard();
        var shown = new HashSet<string>(StringComparer.Ordinal);
        foreach ((_, string expr) in Expressions(document))
        {
            foreach (string name in PromQlNames.In(expr))
            {
                if (ExportedMetrics.IsQueryable(name, out string family))
                {
                    shown.Add(family);
                }
            }
        }

        Assert.Equal([], MarketPushMetricsTests.AllMetricNames().Except(shown).Order().ToArray());
    }

    [Fact]
    public void Panels_FitTheGrid_AndDoNotOverlap()
    {
        using JsonDocument document = LoadDashboard();
        var placed = new List<(string Title, int X, int Y, int W, int H)>();
        var ids = new HashSet<int>();
        foreach (JsonElement panel in document.RootElement.GetProperty("panels").EnumerateArray())
        {
            JsonElement grid = panel.GetProperty("gridPos");
            var box = (panel.GetProperty("title").GetString()!, grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(),
                grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());
            Assert.True(box.Item2 >= 0 && box.Item2 + box.Item4 <= 24, $"{box.Item1} is outside the 24-column grid");
            Assert.True(ids.Add(panel.GetProperty("id").GetInt32()), $"{box.Item1} reuses a panel id");
            foreach (var other in placed)
            {
                bool overlap = box.Item2 < other.X + other.W && other.X < box.Item2 + box.Item4
                    && box.Item3 < other.Y + other.H && other.Y < box.Item3 + box.Item5;
                Assert.False(overlap, $"{box.Item1} overlaps {other.Title}");
            }

            placed.Add(box);
        }
    }

    [Fact]
    public void AlertRules_UseOnlyNamesFromMetricNames()
    {
        string rules = File.ReadAllText(MetricsRepository.DashboardFile("alerts.yml"));
        string[] expressions = ExprLine().Matches(rules).Select(m => m.Groups[1].Value).ToArray();

        Assert.Equal(5, expressions.Length);
        Assert.Equal([], expressions.SelectMany(PromQlNames.In).Where(n => !ExportedMetrics.IsQueryable(n, out _)).ToArray());
        Assert.All(expressions, e => Assert.NotEmpty(PromQlNames.In(e)));
    }

    [Fact]
    public void PrometheusConfig_ScrapesTheLocalServer_AndLoadsTheAlertRules()
    {
        string config = File.ReadAllText(MetricsRepository.DashboardFile("prometheus.yml"));

        Assert.Matches("(?m)^\\s*metrics_path:\\s*/metrics\\s*$", config);
        Assert.Matches("(?m)^\\s*- targets:\\s*\\[\"127\\.0\\.0\\.1:8080\"\\]\\s*$", config);
        Assert.Matches("(?m)^\\s*- alerts\\.yml\\s*$", config);
    }

    [Fact]
    public void PromQlNames_FindsMetricsButNotFunctionsLabelsKeywordsOrVariables()
    {
        IReadOnlyList<string> names = PromQlNames.In(
            "histogram_quantile(0.99, sum by (instance, le) (rate(a_bucket{le!=\"x\",instance=~\"$instance\"}[$__rate_interval])))" +
            " / on (instance) group_left (feed) b_total offset 5m > bool 1e3 and time() - c");

        Assert.Equal(["a_bucket", "b_total", "c"], names);
    }

    internal static IEnumerable<(string Where, string Expr)> Expressions(JsonDocument document)
    {
        foreach (JsonElement panel in Panels(document))
        {
            foreach (JsonElement target in panel.GetProperty("targets").EnumerateArray())
            {
                yield return ($"{panel.GetProperty("title").GetString()} {target.GetProperty("refId").GetString()}",
                    target.GetProperty("expr").GetString()!);
            }
        }
    }

    internal static JsonDocument LoadDashboard() => JsonDocument.Parse(File.ReadAllText(MetricsRepository.DashboardFile("marketpush.json")));

    private static IEnumerable<JsonElement> Panels(JsonDocument document) =>
        document.RootElement.GetProperty("panels").EnumerateArray().Where(p => !IsRow(p));

    private static bool IsRow(JsonElement panel) => panel.GetProperty("type").GetString() == "row";

    [GeneratedRegex("(?m)^\\s*expr:\\s*(.+?)\\s*$")]
    private static partial Regex ExprLine();
}
