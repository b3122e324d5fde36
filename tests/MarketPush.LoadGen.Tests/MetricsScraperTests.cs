using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Tests;

public sealed class MetricsScraperTests
{
    private const string Start = """
        # HELP marketpush_compression_messages_total Messages compressed.
        # TYPE marketpush_compression_messages_total counter
        marketpush_compression_messages_total{encoding="json"} 10
        marketpush_session_closes_total{reason="slow consumer"} 1
        marketpush_transport_open_connections 5
        process_cpu_seconds_total 1.5
        """;

    private const string End = """
        marketpush_compression_messages_total{encoding="json"} 12
        marketpush_session_closes_total{reason="slow consumer"} 1
        marketpush_session_conflated_updates_total 7 1700000000000
        marketpush_transport_open_connections 900
        process_cpu_seconds_total 2.25
        """;

    [Fact]
    public void Parse_ReadsSeries_WithLabelsContainingSpaces()
    {
        Dictionary<string, double> samples = MetricsScraper.Parse(End);

        Assert.Equal(1, samples["marketpush_session_closes_total{reason=\"slow consumer\"}"]);
        Assert.Equal(7, samples["marketpush_session_conflated_updates_total"]);
        Assert.Equal(5, samples.Count);
    }

    [Fact]
    public void CounterDeltas_KeepsCountersThatMoved_AndEveryMarketPushCounter()
    {
        var deltas = MetricsScraper.CounterDeltas(MetricsScraper.Parse(Start), MetricsScraper.Parse(End));

        Assert.Equal(2, deltas["marketpush_compression_messages_total{encoding=\"json\"}"]);
        Assert.Equal(7, deltas["marketpush_session_conflated_updates_total"]);
        Assert.Equal(0.75, deltas["process_cpu_seconds_total"], 6);
        // Counted zero is not the same as not exported: MarketPush's own counters stay even when they did not move.
        Assert.Equal(0, deltas["marketpush_session_closes_total{reason=\"slow consumer\"}"]);
        Assert.False(deltas.ContainsKey("marketpush_transport_open_connections")); // a gauge
        Assert.Equal(4, deltas.Count);
    }
}
