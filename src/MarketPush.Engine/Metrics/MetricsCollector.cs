using System.Buffers;
using System.Diagnostics.Metrics;
using System.Text;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// The <c>/metrics</c> side of observability: a <see cref="MeterListener"/> that aggregates every instrument of one
/// meter (normally <see cref="MarketPushMetrics.Meter"/>) plus the mapped instruments of the runtime's
/// <c>System.Runtime</c> meter, and writes them in the Prometheus text format on demand.
/// </summary>
/// <remarks>
/// <para>
/// Threads: measurements arrive on whichever thread records them and are aggregated in place, lock-free
/// (<see cref="MetricFamily"/>); <see cref="WriteTo"/> may be called from any thread, scrapes are serialized.
/// Counters and up-down counters keep running sums, histograms keep per-bucket counts with the bucket bounds the
/// instrument advises (<see cref="InstrumentAdvice{T}.HistogramBucketBoundaries"/>), and observable instruments are
/// read at scrape time. Owns its listener; dispose it to stop listening.
/// </para>
/// <para>
/// Create it at startup, before traffic: instruments record only while a listener is attached, so anything that
/// happened before it existed is not counted. Only one meter instance is listened to (not every meter named
/// MarketPush), so tests running in parallel each see their own numbers.
/// </para>
/// </remarks>
public sealed class MetricsCollector : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _includeRuntimeMetrics;
    private readonly MeterListener _listener;
    private readonly Lock _familiesLock = new();
    private readonly Lock _scrapeLock = new();
    private readonly Dictionary<Instrument, MetricFamily> _byInstrument = [];
    private MetricFamily[] _families = [];
    private int _generation;

    /// <summary>Listens to <paramref name="metrics"/> and gives every known label set a zero series from the start.</summary>
    public MetricsCollector(MarketPushMetrics metrics, bool includeRuntimeMetrics = true)
        : this(metrics?.Meter!, includeRuntimeMetrics)
    {
        metrics!.InitializeKnownSeries(this);
    }

    /// <summary>Listens to every instrument of <paramref name="meter"/>, exported under its instrument name.</summary>
    public MetricsCollector(Meter meter, bool includeRuntimeMetrics = true)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _meter = meter;
        _includeRuntimeMetrics = includeRuntimeMetrics;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = OnMeasurementsCompleted,
        };

        // Static lambdas: the state object passed back is the instrument's family, so recording allocates nothing.
        _listener.SetMeasurementEventCallback<long>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<short>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<byte>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<float>(static (_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<decimal>(static (_, value, tags, state) => ((MetricFamily)state!).Record((double)value, tags));
        _listener.Start();
    }

    /// <summary>One scrape: observable instruments are read, then every family is written, sorted by name.</summary>
    public void WriteTo(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new PrometheusTextWriter(output);
        lock (_scrapeLock)
        {
            int generation = ++_generation;
            MetricFamily[] families = Volatile.Read(ref _families);
            foreach (MetricFamily family in families)
            {
                if (family.IsObservable)
                {
                    family.BeginObservation(generation);
                }
            }

            _listener.RecordObservableInstruments();
            foreach (MetricFamily family in families)
            {
                family.Write(writer, generation);
            }
        }
    }

    /// <summary>One scrape as a string (tests, diagnostics).</summary>
    public string Scrape()
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        WriteTo(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>A valid Prometheus name from an instrument name or tag key: any other character becomes '_'.</summary>
    internal static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            builder.Append('_');
        }

        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':') ? c : '_');
        }

        return builder.ToString();
    }

    /// <summary>Creates the series of an instrument recorded without tags, so that it exports 0 until it is used.</summary>
    internal void EnsureUnlabelledSeries(string name)
    {
        foreach (MetricFamily family in Volatile.Read(ref _families))
        {
            if (family.Name == name && !family.IsObservable)
            {
                family.EnsureSeries([]);
            }
        }
    }

    // Called by the listener for every existing instrument at Start and for every instrument created later, on the
    // creating thread.
    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        MetricExport? export = ExportFor(instrument);
        if (export is null)
        {
            return;
        }

        MetricFamily.Aggregation aggregation =
            IsGenericOf(instrument, typeof(Histogram<>)) ? MetricFamily.Aggregation.Histogram
            : IsGenericOf(instrument, typeof(Gauge<>)) ? MetricFamily.Aggregation.LastValue
            : MetricFamily.Aggregation.Sum;
        var family = new MetricFamily(export, aggregation, instrument.IsObservable, HistogramBounds(instrument));

        lock (_familiesLock)
        {
            // One family per exported name: a second instrument with the same name (a second meter mapped onto
            // it) would make the exposition invalid, so the first one wins.
            foreach (MetricFamily existing in _families)
            {
                if (existing.Name == family.Name)
                {
                    return;
                }
            }

            _byInstrument[instrument] = family;
            MetricFamily[] families = [.. _families, family];
            Array.Sort(families, static (a, b) => string.CompareOrdinal(a.Name, b.Name));
            Volatile.Write(ref _families, families);
        }

        // A mapped instrument exported without labels has exactly one series: create it now so it exports 0
        // before the first event. (For our own meter only MarketPushMetrics knows which instruments carry tags.)
        if (!instrument.IsObservable && export.Labels is { Length: 0 })
        {
            family.EnsureSeries([]);
        }

        listener.EnableMeasurementEvents(instrument, family);
    }

    // The instrument's meter was disposed: its family leaves the scrape.
    private void OnMeasurementsCompleted(Instrument instrument, object? state)
    {
        lock (_familiesLock)
        {
            if (_byInstrument.Remove(instrument, out MetricFamily? family))
            {
                Volatile.Write(ref _families, Array.FindAll(_families, f => !ReferenceEquals(f, family)));
            }
        }
    }

    private MetricExport? ExportFor(Instrument instrument)
    {
        if (ReferenceEquals(instrument.Meter, _meter))
        {
            PrometheusMetricType type =
                IsGenericOf(instrument, typeof(Histogram<>)) ? PrometheusMetricType.Histogram
                : IsGenericOf(instrument, typeof(Counter<>)) || IsGenericOf(instrument, typeof(ObservableCounter<>)) ? PrometheusMetricType.Counter
                : PrometheusMetricType.Gauge;
            return new MetricExport(Sanitize(instrument.Name, allowColon: true), type, instrument.Description ?? string.Empty, Labels: null);
        }

        if (_includeRuntimeMetrics && instrument.Meter.Name == RuntimeMetricMap.MeterName
            && RuntimeMetricMap.TryGet(instrument.Name, out MetricExport runtime))
        {
            return runtime;
        }

        return null;
    }

    private static bool IsGenericOf(Instrument instrument, Type genericDefinition)
    {
        Type type = instrument.GetType();
        return type.IsGenericType && type.GetGenericTypeDefinition() == genericDefinition;
    }

    private static double[]? HistogramBounds(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => v),
        Histogram<long> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => v),
        Histogram<int> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => v),
        Histogram<short> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => v),
        Histogram<byte> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => v),
        Histogram<decimal> h => Convert(h.Advice?.HistogramBucketBoundaries, static v => (double)v),
        _ => null,
    };

    private static double[]? Convert<T>(IReadOnlyList<T>? bounds, Func<T, double> toDouble)
    {
        if (bounds is null)
        {
            return null;
        }

        var result = new double[bounds.Count];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = toDouble(bounds[i]);
        }

        return result;
    }
}
