using System.Text.RegularExpressions;
using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Tests.Metrics;

// A scrape of every instrument with sample values, and the metric types it declares: what dashboards and alert
// rules may refer to.
internal static partial class ExportedMetrics
{
    private static readonly Lazy<(string Scrape, Dictionary<string, string> Types)> s_full = new(Build);

    public static string FullScrape => s_full.Value.Scrape;

    /// <summary>Exported family name to its TYPE (counter, gauge, histogram).</summary>
    public static IReadOnlyDictionary<string, string> Types => s_full.Value.Types;

    /// <summary>
    /// Whether PromQL may use <paramref name="name"/>: a name in <see cref="MetricNames"/>, or a histogram's
    /// <c>_bucket</c>/<c>_sum</c>/<c>_count</c> series.
    /// </summary>
    public static bool IsQueryable(string name, out string family)
    {
        family = name;
        HashSet<string> declared = MarketPushMetricsTests.AllMetricNames();
        if (declared.Contains(name))
        {
            return true;
        }

        foreach (string suffix in (ReadOnlySpan<string>)["_bucket", "_sum", "_count"])
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                family = name[..^suffix.Length];
                return declared.Contains(family) && Types.TryGetValue(family, out string? type) && type == "histogram";
            }
        }

        return false;
    }

    private static (string, Dictionary<string, string>) Build()
    {
        using var metrics = new MarketPushMetrics();
        using var collector = new MetricsCollector(metrics);
        MetricsSamples.RecordEverything(metrics);
        GC.Collect();
        string scrape = collector.Scrape();
        Dictionary<string, string> types = TypeLine().Matches(scrape)
            .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value, StringComparer.Ordinal);
        return (scrape, types);
    }

    [GeneratedRegex("^# TYPE (\\S+) (\\S+)$", RegexOptions.Multiline)]
    private static partial Regex TypeLine();
}
