namespace MarketPush.Engine.Metrics;

/// <summary>The metric types of the Prometheus text format 0.0.4 that MarketPush exports (no summaries).</summary>
public enum PrometheusMetricType
{
    Counter,
    Gauge,
    Histogram,
    Untyped,
}
