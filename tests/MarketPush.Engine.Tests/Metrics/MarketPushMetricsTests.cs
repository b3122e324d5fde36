using System.Reflection;
using System.Text.RegularExpressions;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Tests.Metrics;

// The recording API other stages call, seen through a scrape: right names, right labels, right numbers.
public sealed class MarketPushMetricsTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new();
    private readonly MarketPushMetrics _metrics;
    private readonly MetricsCollector _collector;

    public MarketPushMetricsTests()
    {
        _metrics = new MarketPushMetrics(timeProvider: _clock, knownSessionCloses: [.. DisconnectReasons.Known.Select(static r => (r.Code, r.Name))]);
        _collector = new MetricsCollector(_metrics, includeRuntimeMetrics: false);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _metrics.Dispose();
    }

    [Fact]
    public void MessagesSent_CountsMessagesAndBytesByEncodingAndCompression()
    {
        _metrics.MessagesSent(WireEncoding.Json, compressed: false, bytes: 100);
        _metrics.MessagesSent(WireEncoding.Json, compressed: false, bytes: 50);
        _metrics.MessagesSent(WireEncoding.MessagePack, compressed: true, messages: 16, bytes: 1200);

        string text = _collector.Scrape();
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"json\",compressed=\"false\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_bytes_total{encoding=\"json\",compressed=\"false\"} 150\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"msgpack\",compressed=\"true\"} 16\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_sent_bytes_total{encoding=\"msgpack\",compressed=\"true\"} 1200\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryKnownLabelSet_ExportsZero_FromTheFirstScrape()
    {
        string text = _collector.Scrape();

        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"msgpack\",compressed=\"false\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_handshakes_total{result=\"over_limit\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_slow_consumer_closes_total{reason=\"queue_full\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_dropped_updates_total{reason=\"book_resync\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_open_connections 0\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_count 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryNamedDisconnectReason_ExportsZeroCloses_FromTheFirstScrape()
    {
        // A panel or alert on rate(marketpush_session_closes_total) must show 0, not "no data", until the first
        // session of that kind ends; and that first close must be visible to increase(), which needs a prior sample.
        DisconnectReason[] named = [.. typeof(DisconnectReasons).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DisconnectReason))
            .Select(f => (DisconnectReason)f.GetValue(null)!)];

        string text = _collector.Scrape();

        Assert.True(named.Length >= 13, $"only {named.Length} named reasons found");
        Assert.All(named, reason => Assert.Contains(
            $"marketpush_session_closes_total{{code=\"{reason.Code}\",reason=\"{reason.Name}\"}} 0\n", text, StringComparison.Ordinal));
        Assert.Contains("marketpush_session_closes_total{code=\"1001\",reason=\"client_closed\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SessionClosed_AfterTheZeroSeries_CountsIntoTheSameSeries()
    {
        _metrics.SessionClosed(DisconnectReasons.SlowConsumer.Code, DisconnectReasons.SlowConsumer.Name);

        string text = _collector.Scrape();

        Assert.Contains("marketpush_session_closes_total{code=\"4001\",reason=\"slow_consumer\"} 1\n", text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(text, "^marketpush_session_closes_total\\{code=\"4001\",reason=\"slow_consumer\"\\}", RegexOptions.Multiline));
    }

    [Fact]
    public void Connections_GoUpAndDown_AndTheLimitIsExported_0ForUnlimitedUntilSet()
    {
        _metrics.ConnectionOpened();
        _metrics.ConnectionOpened();
        _metrics.ConnectionOpened();
        _metrics.ConnectionClosed();

        string before = _collector.Scrape();
        _metrics.SetConnectionLimit(10_000);
        string after = _collector.Scrape();

        Assert.Contains("marketpush_transport_open_connections 2\n", before, StringComparison.Ordinal);
        // Unlimited until a limit is set, and exported as 0 so its dashboard panel and alert have a series from startup.
        Assert.Contains("marketpush_transport_connection_limit 0\n", before, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_connection_limit 10000\n", after, StringComparison.Ordinal);
    }

    [Fact]
    public void HandshakeResults_AreSnakeCaseLabels()
    {
        _metrics.HandshakeCompleted(HandshakeResult.Accepted);
        _metrics.HandshakeCompleted(HandshakeResult.UnsupportedVersion);
        _metrics.HandshakeCompleted(HandshakeResult.UnsupportedVersion);

        string text = _collector.Scrape();
        Assert.Contains("marketpush_transport_handshakes_total{result=\"accepted\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_handshakes_total{result=\"unsupported_version\"} 2\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(101, "accepted")]
    [InlineData(400, "bad_request")]
    [InlineData(405, "bad_request")]
    [InlineData(401, "unauthorized")]
    [InlineData(403, "forbidden")]
    [InlineData(426, "unsupported_version")]
    [InlineData(503, "over_limit")]
    [InlineData(500, "error")]
    public void HandshakeStatusCodes_MapToResults(int statusCode, string result)
    {
        _metrics.HandshakeCompleted(statusCode);

        Assert.Contains($"marketpush_transport_handshakes_total{{result=\"{result}\"}} 1\n", _collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void SessionClosed_LabelsKnownCodes_AndCollapsesArbitraryClientCodesIntoOther()
    {
        _metrics.SessionClosed(4001, "slow_consumer");
        _metrics.SessionClosed(1000, "client_closed");
        _metrics.SessionClosed(4321, "client_closed");
        _metrics.SessionClosed(3999, "client_closed");

        string text = _collector.Scrape();
        Assert.Contains("marketpush_session_closes_total{code=\"4001\",reason=\"slow_consumer\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_closes_total{code=\"1000\",reason=\"client_closed\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_closes_total{code=\"other\",reason=\"client_closed\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Backpressure_IsCountedByReason()
    {
        _metrics.Conflated(ConflationReason.MaxRate, 5);
        _metrics.Conflated(ConflationReason.QueueFull);
        _metrics.Dropped(DropReason.ControlCap);
        _metrics.SlowConsumerClosed(SlowConsumerReason.WriteStalled);

        string text = _collector.Scrape();
        Assert.Contains("marketpush_session_conflated_updates_total{reason=\"max_rate\"} 5\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_conflated_updates_total{reason=\"queue_full\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_dropped_updates_total{reason=\"control_cap\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_slow_consumer_closes_total{reason=\"write_stalled\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void TickAge_FromMicroseconds_LandsInTheRightBucket_AndClampsClockSkewToZero()
    {
        const long Feed = 1_763_769_600_123_456;
        _metrics.TickAgeAtWrite(Feed, Feed + 40);      // 40 µs: the first bucket (50 µs)
        _metrics.TickAgeAtWrite(Feed, Feed + 3_000);   // 3 ms: the 5 ms bucket
        _metrics.TickAgeAtWrite(Feed, Feed - 500);     // feed clock ahead: 0

        string text = _collector.Scrape();
        Assert.Contains("marketpush_transport_tick_age_seconds_bucket{le=\"5e-05\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_bucket{le=\"0.0025\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_bucket{le=\"0.005\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_bucket{le=\"5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_sum 0.00304\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_transport_tick_age_seconds_count 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FramesPerWriteAndQueueDepth_AreHistogramsWithTheirOwnBuckets()
    {
        _metrics.SocketWrite(16);
        _metrics.OutboundQueueDepth(0);
        _metrics.OutboundQueueDepth(300);

        string text = _collector.Scrape();
        Assert.Contains("marketpush_transport_write_frames_bucket{le=\"8\"} 0\nmarketpush_transport_write_frames_bucket{le=\"16\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_outbound_queue_frames_bucket{le=\"0\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_session_outbound_queue_frames_bucket{le=\"256\"} 1\nmarketpush_session_outbound_queue_frames_bucket{le=\"512\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Feed_CountsUpdates_ReportsLagAndDepth_AndStalenessGrowsWhileSilent()
    {
        FeedMetrics feed = _metrics.Feed("replay");
        long depth = 7;
        feed.ObserveIngestDepth(() => depth);
        feed.UpdateReceived(0.002);
        feed.UpdateReceived(feedTimestampMicros: 1_000_000, receivedTimeMicros: 1_000_750);
        feed.IngestDropped(3);
        _clock.Advance(TimeSpan.FromSeconds(12.5));

        string text = _collector.Scrape();
        Assert.Same(feed, _metrics.Feed("replay"));
        Assert.Contains("marketpush_feed_received_updates_total{feed=\"replay\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_feed_lag_seconds{feed=\"replay\"} 0.00075\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_feed_staleness_seconds{feed=\"replay\"} 12.5\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_ingest_queued_updates{feed=\"replay\"} 7\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_ingest_dropped_updates_total{feed=\"replay\"} 3\n", text, StringComparison.Ordinal);

        feed.UpdateReceived(0.001);
        Assert.Contains("marketpush_feed_staleness_seconds{feed=\"replay\"} 0\n", _collector.Scrape(), StringComparison.Ordinal);
    }

    [Fact]
    public void Feed_ThatNeverDelivered_IsStaleSinceRegistration_WithZeroCountsAndNoLag()
    {
        _metrics.Feed("silent");
        _clock.Advance(TimeSpan.FromSeconds(30));

        string text = _collector.Scrape();
        Assert.Contains("marketpush_feed_staleness_seconds{feed=\"silent\"} 30\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_feed_received_updates_total{feed=\"silent\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("marketpush_feed_lag_seconds{feed=\"silent\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void SubscriptionsAndCompression_AreCounted()
    {
        _metrics.SubscriptionsAdded(10);
        _metrics.SubscriptionsRemoved(3);
        _metrics.Compressed(inputBytes: 1000, outputBytes: 300);

        string text = _collector.Scrape();
        Assert.Contains("marketpush_session_subscriptions 7\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_compression_messages_total 1\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_compression_input_bytes_total 1000\n", text, StringComparison.Ordinal);
        Assert.Contains("marketpush_compression_output_bytes_total 300\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FullScrape_ContainsEveryNameInMetricNames_AndNothingElse()
    {
        using var metrics = new MarketPushMetrics();
        using var collector = new MetricsCollector(metrics);
        MetricsSamples.RecordEverything(metrics);
        GC.Collect();

        string text = collector.Scrape();
        var typed = Regex.Matches(text, "^# TYPE (\\S+) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal([], AllMetricNames().Except(typed).Order().ToArray());
        Assert.Equal([], typed.Except(AllMetricNames()).Order().ToArray());
    }

    [Fact]
    public void RecordingMethods_AllocateNothing_WhileTheCollectorListens()
    {
        FeedMetrics feed = _metrics.Feed("alloc");
        void RecordAll(int i)
        {
            _metrics.MessagesSent(WireEncoding.Json, (i & 1) == 0, 120);
            _metrics.MessagesSent(WireEncoding.MessagePack, compressed: true, messages: 4, bytes: 480);
            _metrics.SocketWrite(i & 31);
            _metrics.TickAgeAtWrite(1_000_000, 1_000_000 + (i & 1023));
            _metrics.OutboundQueueDepth(i & 63);
            _metrics.Conflated(ConflationReason.QueueFull);
            _metrics.Dropped(DropReason.QueueFull);
            _metrics.Compressed(300, 120);
            _metrics.HandshakeCompleted(HandshakeResult.Accepted);
            _metrics.ConnectionOpened();
            _metrics.ConnectionClosed();
            _metrics.SessionClosed(4001, "slow_consumer");
            _metrics.SlowConsumerClosed(SlowConsumerReason.QueueFull);
            _metrics.SubscriptionsAdded(2);
            _metrics.SubscriptionsRemoved(2);
            feed.UpdateReceived(0.0005);
            feed.UpdatesReceived(8, 0.0004);
            feed.IngestDropped();
        }

        // Warm up: every series exists and every method is jitted (and tiered up) before measuring.
        for (int i = 0; i < 20_000; i++)
        {
            RecordAll(i);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100_000; i++)
        {
            RecordAll(i);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
        Assert.Contains("marketpush_transport_sent_messages_total{encoding=\"msgpack\",compressed=\"true\"} 480000\n", _collector.Scrape(), StringComparison.Ordinal);
    }

    internal static HashSet<string> AllMetricNames() =>
        typeof(MetricNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet(StringComparer.Ordinal);
}
