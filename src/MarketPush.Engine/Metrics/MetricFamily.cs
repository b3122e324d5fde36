using System.Diagnostics;
using System.Globalization;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// Aggregation of one instrument into the series of one Prometheus metric family. <see cref="Record(long, ReadOnlySpan{KeyValuePair{string, object}})"/>
/// runs on whatever thread recorded the measurement (send loops, feed loops, the scraper for observable
/// instruments) and allocates nothing once the label set has a series; <see cref="Write"/> runs on the scraping
/// thread.
/// </summary>
/// <remarks>
/// Series are found by a linear scan of a copy-on-write array: MarketPush instruments have at most a few dozen label
/// sets and at most three tags, so the scan beats hashing the tags, and readers never lock. A new label set takes
/// the lock, checks again, and publishes a longer array. The number of series is capped so that a caller passing
/// a high-cardinality value by mistake degrades the metric rather than the process.
/// </remarks>
internal sealed class MetricFamily
{
    public const int MaxSeries = 1000;

    // Default when an instrument gives no bucket advice (the OpenTelemetry SDK's defaults).
    private static readonly double[] s_defaultBounds = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly Lock _lock = new();
    private readonly LabelMapping[]? _labels;
    private readonly Aggregation _aggregation;
    private MetricSeries[] _series = [];
    private int _generation;

    public MetricFamily(MetricExport export, Aggregation aggregation, bool isObservable, double[]? histogramBounds)
    {
        Name = export.Name;
        Help = export.Help;
        Type = export.Type;
        _labels = export.Labels;
        _aggregation = aggregation;
        IsObservable = isObservable;
        UpperBounds = aggregation == Aggregation.Histogram ? histogramBounds ?? s_defaultBounds : null;
    }

    public enum Aggregation
    {
        /// <summary>Counters and up-down counters add; observable instruments add within one collect.</summary>
        Sum,

        /// <summary>Synchronous <c>Gauge&lt;T&gt;</c>: the last recorded value.</summary>
        LastValue,

        Histogram,
    }

    public string Name { get; }

    public string Help { get; }

    public PrometheusMetricType Type { get; }

    public bool IsObservable { get; }

    public double[]? UpperBounds { get; }

    public void Record(long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        MetricSeries? series = GetSeries(tags);
        if (series is null)
        {
            return;
        }

        switch (_aggregation)
        {
            case Aggregation.Sum:
                Interlocked.Add(ref series.LongValue, value);
                break;
            case Aggregation.LastValue:
                Volatile.Write(ref series.LongValue, value);
                break;
            default:
                series.Observe(value, UpperBounds!);
                break;
        }

        MarkObserved(series);
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (_aggregation == Aggregation.Histogram && double.IsNaN(value))
        {
            // A NaN observation would make _sum NaN forever; it carries no bucket either.
            return;
        }

        MetricSeries? series = GetSeries(tags);
        if (series is null)
        {
            return;
        }

        switch (_aggregation)
        {
            case Aggregation.Sum:
                series.AddDouble(value);
                break;
            case Aggregation.LastValue:
                Volatile.Write(ref series.DoubleValue, value);
                break;
            default:
                series.Observe(value, UpperBounds!);
                break;
        }

        MarkObserved(series);
    }

    /// <summary>
    /// Scraping thread, before the listener records observable instruments: their callbacks report absolute values,
    /// so every series restarts from zero and is written only if observed again in this <paramref name="generation"/>.
    /// </summary>
    public void BeginObservation(int generation)
    {
        Debug.Assert(IsObservable);
        Volatile.Write(ref _generation, generation);
        foreach (MetricSeries series in Volatile.Read(ref _series))
        {
            series.Reset();
        }
    }

    /// <summary>Creates the series for a label set before anything is recorded, so it exports 0 (see MarketPushMetrics).</summary>
    public void EnsureSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags) => GetSeries(tags);

    /// <summary>Writes HELP, TYPE and every current series; writes nothing for a family without series.</summary>
    public void Write(PrometheusTextWriter writer, int generation)
    {
        MetricSeries[] all = Volatile.Read(ref _series);
        // Bucket counts are copied before writing so the +Inf bucket and _count agree within one series.
        long[]? snapshot = UpperBounds is null ? null : new long[UpperBounds.Length + 1];
        bool headerWritten = false;
        foreach (MetricSeries series in all)
        {
            if (IsObservable && Volatile.Read(ref series.ObservedGeneration) != generation)
            {
                continue;
            }

            if (!headerWritten)
            {
                writer.WriteHelp(Name, Help);
                writer.WriteType(Name, Type);
                headerWritten = true;
            }

            if (series.BucketCounts is { } counts && snapshot is not null)
            {
                for (int i = 0; i < counts.Length; i++)
                {
                    snapshot[i] = Volatile.Read(ref counts[i]);
                }

                writer.WriteHistogram(Name, series.Labels, UpperBounds, snapshot, Volatile.Read(ref series.HistogramSum));
            }
            else
            {
                writer.WriteSample(Name, series.Labels, series.Value);
            }
        }
    }

    private void MarkObserved(MetricSeries series)
    {
        if (IsObservable)
        {
            Volatile.Write(ref series.ObservedGeneration, Volatile.Read(ref _generation));
        }
    }

    private MetricSeries? GetSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (MetricSeries series in Volatile.Read(ref _series))
        {
            if (Matches(series.Tags, tags))
            {
                return series;
            }
        }

        return AddSeries(tags);
    }

    private MetricSeries? AddSeries(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_lock)
        {
            MetricSeries[] current = _series;
            foreach (MetricSeries series in current)
            {
                if (Matches(series.Tags, tags))
                {
                    return series;
                }
            }

            if (current.Length >= MaxSeries)
            {
                return null;
            }

            var kept = new List<KeyValuePair<string, object?>>(tags.Length);
            var labels = new List<PrometheusLabel>(tags.Length);
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                if (_labels is not null && !IsMapped(tag.Key))
                {
                    continue;
                }

                // Kept for matching even when it cannot be a label (reserved or colliding name), so that matching
                // stays a plain set comparison; such a tag is simply not exported.
                kept.Add(tag);
                string? labelName = LabelNameFor(tag.Key);
                if (labelName is not null && !labels.Exists(l => l.Name == labelName))
                {
                    labels.Add(new PrometheusLabel(labelName, LabelValue(tag.Value)));
                }
            }

            int buckets = UpperBounds is null ? 0 : UpperBounds.Length + 1;
            var created = new MetricSeries([.. kept], [.. labels], buckets);
            Volatile.Write(ref _series, [.. current, created]);
            return created;
        }
    }

    // Same label set: every kept incoming tag is in the series (same key, equal value) and the counts agree. Order
    // does not matter; keys are compared by value but are nearly always the same interned constant.
    private bool Matches(KeyValuePair<string, object?>[] seriesTags, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        int kept = 0;
        foreach (KeyValuePair<string, object?> tag in tags)
        {
            if (_labels is not null && !IsMapped(tag.Key))
            {
                continue;
            }

            kept++;
            bool found = false;
            foreach (KeyValuePair<string, object?> own in seriesTags)
            {
                if (string.Equals(own.Key, tag.Key, StringComparison.Ordinal) && Equals(own.Value, tag.Value))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return kept == seriesTags.Length;
    }

    private bool IsMapped(string tagKey)
    {
        foreach (LabelMapping mapping in _labels!)
        {
            if (string.Equals(mapping.TagKey, tagKey, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private string? LabelNameFor(string tagKey)
    {
        if (_labels is null)
        {
            string sanitized = MetricsCollector.Sanitize(tagKey, allowColon: false);
            return sanitized == "le" || sanitized.StartsWith("__", StringComparison.Ordinal) ? null : sanitized;
        }

        foreach (LabelMapping mapping in _labels)
        {
            if (string.Equals(mapping.TagKey, tagKey, StringComparison.Ordinal))
            {
                return mapping.LabelName;
            }
        }

        return null;
    }

    private static string LabelValue(object? value) => value switch
    {
        null => string.Empty,
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
