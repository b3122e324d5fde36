using System.Diagnostics.Metrics;
using MarketPush.Engine.Metrics;

namespace MarketPush.Engine.Tests.Metrics;

// The MeterListener side: what instruments turn into on /metrics. Each test has its own Meter; the collector
// listens to that instance only, so parallel tests do not see each other's counts.
public sealed class MetricsCollectorTests : IDisposable
{
    private readonly Meter _meter = new("MarketPush.Tests." + Guid.NewGuid().ToString("N"));

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void Scrape_IsByteExact_ForCounterLabelledCounterGaugeAndHistogram()
    {
        Counter<long> events = _meter.CreateCounter<long>("t_a_events_total", "{event}", "Events seen.");
        Counter<long> closes = _meter.CreateCounter<long>("t_b_closes_total", "{session}", "Closes by \"code\" \\ reason.");
        UpDownCounter<long> open = _meter.CreateUpDownCounter<long>("t_c_open_connections", "{connection}", "Open now.");
        Histogram<double> age = _meter.CreateHistogram("t_d_age_seconds", "s", "Tick age.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.01, 0.1] });
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        events.Add(5);
        events.Add(2);
        closes.Add(1, new KeyValuePair<string, object?>("code", "1000"), new KeyValuePair<string, object?>("reason", "client\nclosed"));
        closes.Add(2, new KeyValuePair<string, object?>("code", "4001"), new KeyValuePair<string, object?>("reason", "slow_consumer"));
        open.Add(3);
        open.Add(-1);
        age.Record(0.00005); // on a bound: le is inclusive
        age.Record(0.05);
        age.Record(0.05);
        age.Record(7);

        Assert.Equal(
            "# HELP t_a_events_total Events seen.\n" +
            "# TYPE t_a_events_total counter\n" +
            "t_a_events_total 7\n" +
            "# HELP t_b_closes_total Closes by \"code\" \\\\ reason.\n" +
            "# TYPE t_b_closes_total counter\n" +
            "t_b_closes_total{code=\"1000\",reason=\"client\\nclosed\"} 1\n" +
            "t_b_closes_total{code=\"4001\",reason=\"slow_consumer\"} 2\n" +
            "# HELP t_c_open_connections Open now.\n" +
            "# TYPE t_c_open_connections gauge\n" +
            "t_c_open_connections 2\n" +
            "# HELP t_d_age_seconds Tick age.\n" +
            "# TYPE t_d_age_seconds histogram\n" +
            "t_d_age_seconds_bucket{le=\"5e-05\"} 1\n" +
            "t_d_age_seconds_bucket{le=\"0.01\"} 1\n" +
            "t_d_age_seconds_bucket{le=\"0.1\"} 3\n" +
            "t_d_age_seconds_bucket{le=\"+Inf\"} 4\n" +
            "t_d_age_seconds_sum 7.10005\n" +
            "t_d_age_seconds_count 4\n",
            collector.Scrape());
    }

    [Fact]
    public void InstrumentNeverRecorded_IsNotWritten_NotEvenItsHelpAndType()
    {
        _meter.CreateCounter<long>("t_idle_total", null, "Idle.");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        Assert.Equal(string.Empty, collector.Scrape());
    }

    [Fact]
    public void SameTagsInAnotherOrder_AddToOneSeries()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t_sent_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        counter.Add(1, new("encoding", "json"), new("compressed", "true"));
        counter.Add(4, new("compressed", "true"), new("encoding", "json"));

        Assert.Equal("# TYPE t_sent_total counter\nt_sent_total{encoding=\"json\",compressed=\"true\"} 5\n", collector.Scrape());
    }

    [Fact]
    public void NonStringTagValues_AreFormattedInvariant()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t_typed_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        counter.Add(1, new("ok", true), new("code", 1000), new("ratio", 0.5));

        Assert.Contains("t_typed_total{ok=\"true\",code=\"1000\",ratio=\"0.5\"} 1\n", collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void DottedInstrumentAndTagNames_AreSanitized()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t.dotted.events_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        counter.Add(2, new KeyValuePair<string, object?>("error.type", "x"));

        Assert.Contains("t_dotted_events_total{error_type=\"x\"} 2\n", collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void DoubleCounter_SumsFractions()
    {
        Counter<double> counter = _meter.CreateCounter<double>("t_seconds_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        counter.Add(0.25);
        counter.Add(0.5);

        Assert.Contains("t_seconds_total 0.75\n", collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void HistogramWithoutAdvice_UsesDefaultBoundsAndIgnoresNaN()
    {
        Histogram<int> histogram = _meter.CreateHistogram<int>("t_frames");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        histogram.Record(7);
        histogram.Record(12);
        Histogram<double> withNaN = _meter.CreateHistogram<double>("t_nan");
        withNaN.Record(double.NaN);
        withNaN.Record(0.5);

        string text = collector.Scrape();
        Assert.Contains("t_frames_bucket{le=\"5\"} 0\nt_frames_bucket{le=\"10\"} 1\nt_frames_bucket{le=\"25\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("t_frames_bucket{le=\"10000\"} 2\nt_frames_bucket{le=\"+Inf\"} 2\nt_frames_sum 19\nt_frames_count 2\n", text, StringComparison.Ordinal);
        Assert.Contains("t_nan_sum 0.5\nt_nan_count 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void ObservableGauge_IsReadAtScrape_AndSeriesNotReportedAgainDisappear()
    {
        var feeds = new List<string> { "a", "b" };
        _meter.CreateObservableGauge("t_depth", () => feeds.Select(f => new Measurement<long>(f.Length * 10, new KeyValuePair<string, object?>("feed", f))));
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        Assert.Equal("# TYPE t_depth gauge\nt_depth{feed=\"a\"} 10\nt_depth{feed=\"b\"} 10\n", collector.Scrape());
        feeds.Remove("a");
        Assert.Equal("# TYPE t_depth gauge\nt_depth{feed=\"b\"} 10\n", collector.Scrape());
        feeds.Clear();
        Assert.Equal(string.Empty, collector.Scrape());
    }

    [Fact]
    public void ObservableCounter_ReportsTheObservedTotal_NotASumOfScrapes()
    {
        long total = 10;
        _meter.CreateObservableCounter("t_done_total", () => total);
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        collector.Scrape();
        total = 15;

        Assert.Equal("# TYPE t_done_total counter\nt_done_total 15\n", collector.Scrape());
    }

    [Fact]
    public void SynchronousGauge_KeepsTheLastValue()
    {
        Gauge<double> gauge = _meter.CreateGauge<double>("t_level");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        gauge.Record(3);
        gauge.Record(1.5);

        Assert.Equal("# TYPE t_level gauge\nt_level 1.5\n", collector.Scrape());
    }

    [Fact]
    public void AnotherMeterWithTheSameName_IsNotCollected()
    {
        using var other = new Meter(_meter.Name);
        Counter<long> theirs = other.CreateCounter<long>("t_other_total");
        Counter<long> mine = _meter.CreateCounter<long>("t_mine_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        theirs.Add(1);
        mine.Add(1);

        string text = collector.Scrape();
        Assert.Contains("t_mine_total", text, StringComparison.Ordinal);
        Assert.DoesNotContain("t_other_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public void InstrumentsCreatedAfterTheCollector_AreCollected_AndLeaveWithTheirMeter()
    {
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);
        _meter.CreateCounter<long>("t_late_total").Add(3);

        Assert.Contains("t_late_total 3\n", collector.Scrape(), StringComparison.Ordinal);
        _meter.Dispose();
        Assert.Equal(string.Empty, collector.Scrape());
    }

    [Fact]
    public void DisposedCollector_StopsCounting()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t_stop_total");
        var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);
        counter.Add(1);
        collector.Dispose();

        counter.Add(1);

        Assert.False(counter.Enabled);
    }

    [Fact]
    public async Task ConcurrentRecording_LosesNoIncrementsOrObservations()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t_race_total");
        Histogram<double> histogram = _meter.CreateHistogram("t_race_seconds", "s", null, null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [1] });
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);
        const int Threads = 4;
        const int PerThread = 50_000;

        Task[] workers = Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var tag = new KeyValuePair<string, object?>("worker", (t % 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (int i = 0; i < PerThread; i++)
            {
                counter.Add(1, tag);
                histogram.Record(0.5);
            }
        })).ToArray();
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        string text = collector.Scrape();
        Assert.Contains($"t_race_total{{worker=\"0\"}} {Threads / 2 * PerThread}\n", text, StringComparison.Ordinal);
        Assert.Contains($"t_race_total{{worker=\"1\"}} {Threads / 2 * PerThread}\n", text, StringComparison.Ordinal);
        Assert.Contains($"t_race_seconds_bucket{{le=\"1\"}} {Threads * PerThread}\n", text, StringComparison.Ordinal);
        Assert.Contains($"t_race_seconds_sum {Threads * PerThread / 2}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SeriesBeyondTheCap_AreDropped_NotGrownWithoutBound()
    {
        Counter<long> counter = _meter.CreateCounter<long>("t_cardinality_total");
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: false);

        for (int i = 0; i < MetricFamily.MaxSeries + 50; i++)
        {
            counter.Add(1, new KeyValuePair<string, object?>("symbol", "S" + i));
        }

        string text = collector.Scrape();
        Assert.Equal(MetricFamily.MaxSeries, text.Split('\n').Count(l => l.StartsWith("t_cardinality_total{", StringComparison.Ordinal)));
    }

    [Fact]
    public void RuntimeMeter_IsExportedUnderMappedNamesOnly()
    {
        using var collector = new MetricsCollector(_meter, includeRuntimeMetrics: true);
        GC.Collect();

        string text = collector.Scrape();

        Assert.Contains("# TYPE marketpush_runtime_gc_collections_total counter\n", text, StringComparison.Ordinal);
        Assert.Matches("marketpush_runtime_gc_collections_total\\{generation=\"gen2\"\\} [1-9]", text);
        Assert.Contains("# TYPE marketpush_runtime_threadpool_threads gauge\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dotnet_", text, StringComparison.Ordinal);
        Assert.DoesNotContain("error_type", text, StringComparison.Ordinal);
    }

    [Fact]
    public void RuntimeMeter_StillPublishesEveryInstrumentTheMapExpects()
    {
        // A MeterListener, not MetricCollector<T>: this asks which instruments the runtime publishes, by name, and a
        // MetricCollector watches one instrument already known.
        var published = new HashSet<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == "System.Runtime")
                {
                    lock (published)
                    {
                        published.Add(instrument.Name);
                    }
                }
            },
        };
        listener.Start();

        Assert.Equal([], RuntimeMetricMap.InstrumentNames.Except(published).ToArray());
    }
}
