using System.Globalization;
using System.Net;
using System.Text;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// The self-contained HTML report of one run: the headline table, then inline SVG plots of latency over time,
/// throughput and connections, and CPU. One file with inline CSS, no script, no external URL (it must open on a
/// machine without network, and be safe to attach to an issue).
/// </summary>
public static class HtmlReportWriter
{
    public static string Write(RunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        string title = $"{result.Case} — {result.Label}";
        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<title>MarketPush load run: ").Append(E(title)).AppendLine("</title>");
        html.AppendLine("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:960px}"
            + "table{border-collapse:collapse;margin:12px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;font-size:13px}"
            + "th{background:#f4f4f4}h1{font-size:20px}h2{font-size:16px;margin-top:28px}.warn{color:#a40}code{font-size:12px}</style>");
        html.AppendLine("</head><body>");
        html.Append("<h1>MarketPush load run: ").Append(E(title)).AppendLine("</h1>");
        html.Append("<p>Scenario <b>").Append(E(result.Scenario)).Append("</b> against <code>").Append(E(result.Settings.Url)).Append("</code> (")
            .Append(E(result.ServerName ?? "unnamed server")).Append("), started ")
            .Append(E(result.StartedAt.ToString("u", CultureInfo.InvariantCulture))).Append(". Load <code>").Append(E(result.Settings.Load))
            .Append("</code>; the shaded warm-up (").Append(E(ReportFormat.Number(result.Settings.WarmupSeconds)))
            .AppendLine(" s) is excluded from every figure in the table.</p>");

        html.AppendLine("<table><tr><th>metric</th><th>value</th></tr>");
        foreach ((string name, string value) in MarkdownReportWriter.Rows(result))
        {
            html.Append("<tr><td>").Append(E(name)).Append("</td><td>").Append(E(value)).AppendLine("</td></tr>");
        }

        html.AppendLine("</table>");
        if (result.Warnings.Count > 0)
        {
            html.AppendLine("<h2>Warnings</h2><ul>");
            foreach (string warning in result.Warnings)
            {
                html.Append("<li class=\"warn\">").Append(E(warning)).AppendLine("</li>");
            }

            html.AppendLine("</ul>");
        }

        List<TimelinePoint> timeline = result.Timeline;
        double warmup = result.Settings.WarmupSeconds;

        var latency = new SvgChart("Tick-to-receive latency per second", "ms (log scale)", logScale: true) { ShadeUntilX = warmup };
        latency.AddSeries("p50", "#1f77b4", Points(timeline, t => t.Quotes > 0 ? t.P50Micros / 1000.0 : double.NaN));
        latency.AddSeries("p99", "#ff7f0e", Points(timeline, t => t.Quotes > 0 ? t.P99Micros / 1000.0 : double.NaN));
        latency.AddSeries("max", "#d62728", Points(timeline, t => t.Quotes > 0 ? t.MaxMicros / 1000.0 : double.NaN));
        html.AppendLine("<h2>Latency over time</h2>").AppendLine(latency.Render());

        var throughput = new SvgChart("Delivered quotes per second", "messages/s", logScale: false) { ShadeUntilX = warmup };
        throughput.AddSeries("delivered msg/s", "#2ca02c", Points(timeline, t => t.Quotes));
        html.AppendLine("<h2>Throughput</h2>").AppendLine(throughput.Render());

        var connections = new SvgChart("Open connections", "connections", logScale: false) { ShadeUntilX = warmup };
        connections.AddSeries("open", "#9467bd", Points(timeline, t => t.Connections));
        html.AppendLine(connections.Render(900, 200));

        var cpu = new SvgChart("CPU (percent of one core)", "%", logScale: false) { ShadeUntilX = warmup };
        cpu.AddSeries("server", "#8c564b", Points(timeline, t => t.ServerCpuPercent ?? double.NaN));
        cpu.AddSeries("runner", "#7f7f7f", Points(timeline, t => t.RunnerCpuPercent));
        html.AppendLine("<h2>CPU</h2>").AppendLine(cpu.Render(900, 220));

        if (result.ServerCounters is { Count: > 0 })
        {
            html.AppendLine("<h2>Server counters over the window</h2><table><tr><th>series</th><th>delta</th></tr>");
            foreach ((string series, double delta) in result.ServerCounters)
            {
                html.Append("<tr><td><code>").Append(E(series)).Append("</code></td><td>").Append(E(ReportFormat.Number(delta, "0.###"))).AppendLine("</td></tr>");
            }

            html.AppendLine("</table>");
        }

        html.Append("<p><code>MarketPush.LoadGen ").Append(E(result.Settings.CommandLine)).AppendLine("</code></p>");
        html.AppendLine("</body></html>");
        return html.ToString();
    }

    private static List<(double X, double Y)> Points(List<TimelinePoint> timeline, Func<TimelinePoint, double> value) =>
        [.. timeline.Select(t => ((double)t.Second + 0.5, value(t)))];

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
