namespace MarketPush.Engine.Metrics;

/// <summary>
/// How one instrument is exported: Prometheus name, type and HELP, and which tags become labels. A null
/// <see cref="Labels"/> keeps every tag (key sanitized into a label name); an array keeps only the listed tags,
/// renamed, and measurements that differ only in dropped tags add into one series.
/// </summary>
internal sealed record MetricExport(string Name, PrometheusMetricType Type, string Help, LabelMapping[]? Labels);
