using System.Buffers;
using System.Text;
using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Tests.Metrics;

// Byte-exact output of the text exposition format 0.0.4, as Prometheus's parser reads it.
public sealed class PrometheusTextWriterTests
{
    [Fact]
    public void Counter_WritesHelpTypeAndAnIntegerValue()
    {
        string text = Write(w =>
        {
            w.WriteHelp("marketpush_test_events_total", "Events seen.");
            w.WriteType("marketpush_test_events_total", PrometheusMetricType.Counter);
            w.WriteSample("marketpush_test_events_total", [], 1027);
        });

        Assert.Equal(
            "# HELP marketpush_test_events_total Events seen.\n" +
            "# TYPE marketpush_test_events_total counter\n" +
            "marketpush_test_events_total 1027\n",
            text);
    }

    [Fact]
    public void LabelledCounter_EscapesBackslashQuoteAndLineFeedInLabelValues()
    {
        string text = Write(w =>
        {
            w.WriteType("marketpush_test_closes_total", PrometheusMetricType.Counter);
            w.WriteSample("marketpush_test_closes_total", [new("code", "1000"), new("reason", "a\\b\"c\nd")], 3);
        });

        Assert.Equal(
            "# TYPE marketpush_test_closes_total counter\n" +
            "marketpush_test_closes_total{code=\"1000\",reason=\"a\\\\b\\\"c\\nd\"} 3\n",
            text);
    }

    [Fact]
    public void Help_EscapesBackslashAndLineFeedButNotQuotes()
    {
        string text = Write(w => w.WriteHelp("x_total", "say \"hi\" \\ then\nnext line"));

        Assert.Equal("# HELP x_total say \"hi\" \\\\ then\\nnext line\n", text);
    }

    [Fact]
    public void LabelValues_AreWrittenAsUtf8()
    {
        string text = Write(w => w.WriteSample("x", [new("feed", "börse-€")], 1));

        Assert.Equal("x{feed=\"börse-€\"} 1\n", text);
    }

    [Fact]
    public void Gauge_WritesFractionsNaNAndInfinities()
    {
        string text = Write(w =>
        {
            w.WriteHelp("marketpush_test_lag_seconds", "Lag.");
            w.WriteType("marketpush_test_lag_seconds", PrometheusMetricType.Gauge);
            w.WriteSample("marketpush_test_lag_seconds", [new("feed", "a")], 0.25);
            w.WriteSample("marketpush_test_lag_seconds", [new("feed", "b")], double.NaN);
            w.WriteSample("marketpush_test_lag_seconds", [new("feed", "c")], double.PositiveInfinity);
            w.WriteSample("marketpush_test_lag_seconds", [new("feed", "d")], double.NegativeInfinity);
        });

        Assert.Equal(
            "# HELP marketpush_test_lag_seconds Lag.\n" +
            "# TYPE marketpush_test_lag_seconds gauge\n" +
            "marketpush_test_lag_seconds{feed=\"a\"} 0.25\n" +
            "marketpush_test_lag_seconds{feed=\"b\"} NaN\n" +
            "marketpush_test_lag_seconds{feed=\"c\"} +Inf\n" +
            "marketpush_test_lag_seconds{feed=\"d\"} -Inf\n",
            text);
    }

    [Fact]
    public void Histogram_WritesCumulativeBucketsPlusInfSumAndCount()
    {
        string text = Write(w =>
        {
            w.WriteHelp("marketpush_test_age_seconds", "Age.");
            w.WriteType("marketpush_test_age_seconds", PrometheusMetricType.Histogram);
            w.WriteHistogram("marketpush_test_age_seconds", [new("feed", "x")], [0.00005, 0.001, 1, 2.5], [1, 0, 2, 3, 4], 12.5);
        });

        Assert.Equal(
            "# HELP marketpush_test_age_seconds Age.\n" +
            "# TYPE marketpush_test_age_seconds histogram\n" +
            "marketpush_test_age_seconds_bucket{feed=\"x\",le=\"5e-05\"} 1\n" +
            "marketpush_test_age_seconds_bucket{feed=\"x\",le=\"0.001\"} 1\n" +
            "marketpush_test_age_seconds_bucket{feed=\"x\",le=\"1\"} 3\n" +
            "marketpush_test_age_seconds_bucket{feed=\"x\",le=\"2.5\"} 6\n" +
            "marketpush_test_age_seconds_bucket{feed=\"x\",le=\"+Inf\"} 10\n" +
            "marketpush_test_age_seconds_sum{feed=\"x\"} 12.5\n" +
            "marketpush_test_age_seconds_count{feed=\"x\"} 10\n",
            text);
    }

    [Fact]
    public void Histogram_WithoutLabels_PutsOnlyLeInBraces()
    {
        string text = Write(w => w.WriteHistogram("h", [], [1], [0, 0], 0));

        Assert.Equal("h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n", text);
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(42.0, "42")]
    [InlineData(-3.0, "-3")]
    [InlineData(1.5, "1.5")]
    [InlineData(0.00005, "5e-05")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(123456789012345.0, "123456789012345")]
    [InlineData(1e15, "1000000000000000")]
    [InlineData(1.25e20, "1.25e+20")]
    [InlineData(0.30000000000000004, "0.30000000000000004")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    public void FormatValue_UsesIntegersWithoutExponentAndGoSyntaxOtherwise(double value, string expected) =>
        Assert.Equal(expected, PrometheusTextWriter.FormatValue(value));

    [Fact]
    public void FormatValue_WritesNegativeZeroAsZero() => Assert.Equal("0", PrometheusTextWriter.FormatValue(-0.0));

    [Theory]
    [InlineData("1abc")]
    [InlineData("has.dot")]
    [InlineData("")]
    [InlineData("sp ace")]
    public void InvalidMetricName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => Write(w => w.WriteSample(name, [], 1)));

    [Theory]
    [InlineData("__reserved")]
    [InlineData("le")]
    [InlineData("a-b")]
    public void InvalidOrReservedLabelName_Throws(string name) =>
        Assert.Throws<ArgumentException>(() => Write(w => w.WriteSample("x", [new(name, "v")], 1)));

    [Fact]
    public void HistogramCounts_MustMatchBounds() =>
        Assert.Throws<ArgumentException>(() => Write(w => w.WriteHistogram("h", [], [1, 2], [1, 2], 0)));

    private static string Write(Action<PrometheusTextWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new PrometheusTextWriter(buffer));
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
