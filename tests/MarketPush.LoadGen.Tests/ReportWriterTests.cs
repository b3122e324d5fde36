using MarketPush.LoadGen.Reports;

namespace MarketPush.LoadGen.Tests;

public sealed class ReportWriterTests
{
    [Fact]
    public void Json_RoundTripsEveryFigure()
    {
        RunResult result = SampleResults.Run("G1-throughput", "marketpush", 2_100_000, 4_000, serverNanos: 420);

        RunResult back = ResultJson.Deserialize(ResultJson.Serialize(result));

        Assert.Equal(result.DeliveredPerSecond, back.DeliveredPerSecond);
        Assert.Equal(result.LatencyMicros, back.LatencyMicros);
        Assert.Equal(result.ClosesByCode, back.ClosesByCode);
        Assert.Equal(result.Server, back.Server);
        Assert.Equal(result.Timeline, back.Timeline);
        Assert.Equal(result.Warnings, back.Warnings);
        Assert.Contains("\"deliveredPerSecond\": 2100000", ResultJson.Serialize(result), StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_ShowsTheHeadlineFigures_AndTheWarnings()
    {
        string markdown = MarkdownReportWriter.Write(SampleResults.Run("G1-throughput", "marketpush", 2_100_000, 4_000, serverNanos: 420));

        Assert.Contains("# Load run: G1-throughput — marketpush", markdown, StringComparison.Ordinal);
        Assert.Contains("| delivered | 2.10M msg/s", markdown, StringComparison.Ordinal);
        Assert.Contains("| latency p50 / p90 / p99 / p99.9 / max (ms) | 1.000 / 2.000 / 4.000 / 8.000 / 12.00 |", markdown, StringComparison.Ordinal);
        Assert.Contains("420 ns per delivered message", markdown, StringComparison.Ordinal);
        Assert.Contains("4001 × 2", markdown, StringComparison.Ordinal);
        Assert.Contains("- the runner used 95% CPU", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_IsSelfContained_WithInlineSvgPlots()
    {
        string html = HtmlReportWriter.Write(SampleResults.Run("G1-throughput", "<b>x</b>", 2_100_000, 4_000, serverNanos: 420));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Equal(4, html.Split("<svg ").Length - 1);
        Assert.Contains("Tick-to-receive latency per second", html, StringComparison.Ordinal);
        Assert.Contains("<path d=\"M", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>x</b>", html, StringComparison.Ordinal); // labels are escaped
        // No external resource: the only URL is the SVG namespace.
        string withoutNamespace = html.Replace("xmlns=\"http://www.w3.org/2000/svg\"", "", StringComparison.Ordinal);
        Assert.DoesNotContain("http://", withoutNamespace, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", withoutNamespace, StringComparison.Ordinal);
    }

    [Fact]
    public void ResultFiles_WritesJsonMarkdownAndHtml()
    {
        string directory = Path.Combine(Path.GetTempPath(), "loadgen-tests-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] paths = ResultFiles.Write(SampleResults.Run("c", "l", 10, 1000), directory, "stem");

            Assert.Equal(["stem.json", "stem.md", "stem.html"], paths.Select(Path.GetFileName));
            Assert.All(paths, path => Assert.True(new FileInfo(path).Length > 100));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(0.7, 1)]
    [InlineData(3, 5)]
    [InlineData(12_345, 20_000)]
    [InlineData(2_000_001, 2_500_000)]
    public void ChartAxis_RoundsUpToANiceNumber(double value, double expected)
    {
        Assert.Equal(expected, SvgChart.NiceCeiling(value), 6);
    }
}
