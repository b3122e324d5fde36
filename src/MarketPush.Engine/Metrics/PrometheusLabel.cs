namespace MarketPush.Engine.Metrics;

/// <summary>
/// One label of an exported sample: the name is a valid Prometheus label name, the value is raw (unescaped) text;
/// <see cref="PrometheusTextWriter"/> escapes it.
/// </summary>
public readonly record struct PrometheusLabel(string Name, string Value);
