using System.Text;
using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Tests.Metrics;

// The real promtool judges what Prometheus will accept: the scrape, the alert rules and their unit tests, the
// scrape config, and every dashboard query as PromQL.
public sealed class PromtoolTests
{
    [Fact]
    public async Task CheckMetrics_AcceptsAFullScrapeOfEveryInstrument()
    {
        string scrape = ExportedMetrics.FullScrape;

        (int exitCode, string output) = await Promtool.RunAsync(MetricsRepository.Dashboards, scrape, "check", "metrics");

        Assert.True(exitCode == 0 && output.Trim().Length == 0, $"promtool check metrics (exit {exitCode}):\n{output}\n--- scrape ---\n{scrape}");
        Assert.Contains("le=\"+Inf\"", scrape, StringComparison.Ordinal);
        Assert.Contains("feed=\"nasdaq \\\"itch\\\"\\\\5\"", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckMetrics_RejectsWhatItShould_SoTheCheckAboveMeansSomething()
    {
        (int exitCode, string output) = await Promtool.RunAsync(MetricsRepository.Dashboards,
            "# HELP marketpush_bad counter without suffix\n# TYPE marketpush_bad counter\nmarketpush_bad 1\n", "check", "metrics");

        Assert.NotEqual(0, exitCode);
        Assert.Contains("_total", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckRules_AcceptsTheAlertRules()
    {
        (int exitCode, string output) = await Promtool.RunAsync(MetricsRepository.Dashboards, null, "check", "rules", "alerts.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 5 rules found", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestRules_PassesTheAlertUnitTests()
    {
        (int exitCode, string output) = await Promtool.RunAsync(MetricsRepository.Dashboards, null, "test", "rules", "alerts.test.yml");

        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConfig_AcceptsThePrometheusConfig()
    {
        (int exitCode, string output) = await Promtool.RunAsync(MetricsRepository.Dashboards, null, "check", "config", "prometheus.yml");

        Assert.True(exitCode == 0, output);
    }

    [Fact]
    public async Task EveryDashboardQuery_IsValidPromQl()
    {
        // promtool has no offline "check expression"; a rules file with one recording rule per query makes
        // check rules parse each one. Grafana's variables are replaced by what Grafana would put there.
        using var document = DashboardTests.LoadDashboard();
        var rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int index = 0;
        foreach ((string where, string expr) in DashboardTests.Expressions(document))
        {
            string promQl = expr.Replace("$__rate_interval", "1m", StringComparison.Ordinal)
                .Replace("$instance", ".*", StringComparison.Ordinal);
            rules.Append("      # ").Append(where).Append('\n')
                .Append("      - record: dashboard:query_").Append(index++).Append('\n')
                .Append("        expr: '").Append(promQl.Replace("'", "''", StringComparison.Ordinal)).Append("'\n");
        }

        string directory = Directory.CreateTempSubdirectory("marketpush-promql-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "dashboard-queries.yml"), rules.ToString());
            (int exitCode, string output) = await Promtool.RunAsync(directory, null, "check", "rules", "dashboard-queries.yml");

            Assert.True(exitCode == 0, $"{output}\n{rules}");
            Assert.Contains($"SUCCESS: {index} rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
