using System.Buffers;
using System.Globalization;
using System.Text;

namespace MarketPush.Engine.Metrics;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4, as UTF-8 into an <see cref="IBufferWriter{T}"/>.
/// Used by <see cref="MetricsCollector"/> on the scraping thread, one instance per scrape; knows nothing about
/// instruments, only families, samples and the format's rules:
/// </summary>
/// <remarks>
/// <code>
/// # HELP name help text, with \ and line feed escaped as \\ and \n
/// # TYPE name counter|gauge|histogram|untyped
/// name{label="value",...} 42          value: Go ParseFloat syntax; NaN, +Inf, -Inf allowed
/// name_bucket{...,le="0.005"} 3       histogram: cumulative counts, ascending le, always ending in le="+Inf"
/// name_bucket{...,le="+Inf"} 7
/// name_sum{...} 0.0123
/// name_count{...} 7                   equals the +Inf bucket
/// </code>
/// Label values escape backslash, double quote and line feed (<c>\\</c>, <c>\"</c>, <c>\n</c>); every line ends with
/// a line feed, including the last. All lines of one family are written together, HELP and TYPE first; the caller
/// keeps that order. Values are written as integers without exponent when they are whole and below 10^15 (what
/// people read on a counter), otherwise as the shortest round-trip form with a lower-case exponent (<c>5e-05</c>),
/// which is what Go's <c>strconv.FormatFloat(v, 'g', -1, 64)</c> writes and Prometheus parses.
/// </remarks>
public sealed class PrometheusTextWriter
{
    /// <summary>The Content-Type of a scrape response in this format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    // Whole numbers below this print as integers; at 1e15 and beyond "R" formatting switches to an exponent anyway.
    private const double MaxPlainInteger = 1e15;

    // Longest formatted double: "-1.2345678901234567e-308" is 24 chars; leave room.
    private const int MaxValueChars = 32;

    private readonly IBufferWriter<byte> _output;

    public PrometheusTextWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
    }

    /// <summary><c># HELP name text</c>; nothing when <paramref name="help"/> is empty (HELP is optional).</summary>
    public void WriteHelp(string metricName, string? help)
    {
        ThrowIfInvalidMetricName(metricName);
        if (string.IsNullOrEmpty(help))
        {
            return;
        }

        WriteAscii("# HELP ");
        WriteAscii(metricName);
        WriteByte((byte)' ');
        WriteEscaped(help, escapeQuote: false);
        WriteByte((byte)'\n');
    }

    /// <summary><c># TYPE name type</c>.</summary>
    public void WriteType(string metricName, PrometheusMetricType type)
    {
        ThrowIfInvalidMetricName(metricName);
        WriteAscii("# TYPE ");
        WriteAscii(metricName);
        WriteByte((byte)' ');
        WriteAscii(type switch
        {
            PrometheusMetricType.Counter => "counter",
            PrometheusMetricType.Gauge => "gauge",
            PrometheusMetricType.Histogram => "histogram",
            _ => "untyped",
        });
        WriteByte((byte)'\n');
    }

    /// <summary>One sample line: <c>name{labels} value</c>.</summary>
    public void WriteSample(string metricName, ReadOnlySpan<PrometheusLabel> labels, double value)
    {
        ThrowIfInvalidMetricName(metricName);
        WriteSampleLine(metricName, suffix: null, labels, leLabel: null, value);
    }

    /// <summary>
    /// A whole histogram series: one <c>_bucket</c> line per bound plus <c>+Inf</c>, then <c>_sum</c> and
    /// <c>_count</c>. <paramref name="bucketCounts"/> are per bucket, not cumulative, and have one more entry than
    /// <paramref name="upperBounds"/> (the last is the +Inf bucket); the writer accumulates them.
    /// </summary>
    public void WriteHistogram(string metricName, ReadOnlySpan<PrometheusLabel> labels, ReadOnlySpan<double> upperBounds,
        ReadOnlySpan<long> bucketCounts, double sum)
    {
        ThrowIfInvalidMetricName(metricName);
        if (bucketCounts.Length != upperBounds.Length + 1)
        {
            throw new ArgumentException("One count per upper bound plus one for +Inf is required.", nameof(bucketCounts));
        }

        long cumulative = 0;
        for (int i = 0; i < upperBounds.Length; i++)
        {
            cumulative += bucketCounts[i];
            WriteSampleLine(metricName, "_bucket", labels, FormatValue(upperBounds[i]), cumulative);
        }

        cumulative += bucketCounts[^1];
        WriteSampleLine(metricName, "_bucket", labels, "+Inf", cumulative);
        WriteSampleLine(metricName, "_sum", labels, leLabel: null, sum);
        WriteSampleLine(metricName, "_count", labels, leLabel: null, cumulative);
    }

    /// <summary>A sample value (or an <c>le</c> bound) as the format writes it.</summary>
    public static string FormatValue(double value)
    {
        Span<char> chars = stackalloc char[MaxValueChars];
        int length = FormatValue(value, chars);
        return new string(chars[..length]);
    }

    /// <summary>Metric names: <c>[a-zA-Z_:][a-zA-Z0-9_:]*</c>.</summary>
    public static bool IsValidMetricName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != ':')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Label names: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, not starting with <c>__</c> (reserved for Prometheus itself).</summary>
    public static bool IsValidLabelName(string? name)
    {
        if (string.IsNullOrEmpty(name) || char.IsAsciiDigit(name[0]) || name.StartsWith("__", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    private static int FormatValue(double value, Span<char> destination)
    {
        if (double.IsNaN(value))
        {
            "NaN".CopyTo(destination);
            return 3;
        }

        if (double.IsInfinity(value))
        {
            (value > 0 ? "+Inf" : "-Inf").CopyTo(destination);
            return 4;
        }

        int written;
        if (Math.Abs(value) < MaxPlainInteger && value == Math.Floor(value))
        {
            // (long)-0.0 is 0: Prometheus has no use for a negative zero.
            ((long)value).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            return written;
        }

        value.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
        for (int i = 0; i < written; i++)
        {
            if (destination[i] == 'E')
            {
                destination[i] = 'e';
            }
        }

        return written;
    }

    private void WriteSampleLine(string metricName, string? suffix, ReadOnlySpan<PrometheusLabel> labels, string? leLabel, double value)
    {
        WriteSeriesName(metricName, suffix, labels, leLabel);
        Span<char> chars = stackalloc char[MaxValueChars];
        int length = FormatValue(value, chars);
        WriteAscii(chars[..length]);
        WriteByte((byte)'\n');
    }

    // Bucket counts and _count are exact integers: write them as such even past 2^53.
    private void WriteSampleLine(string metricName, string suffix, ReadOnlySpan<PrometheusLabel> labels, string? leLabel, long value)
    {
        WriteSeriesName(metricName, suffix, labels, leLabel);
        Span<char> chars = stackalloc char[MaxValueChars];
        value.TryFormat(chars, out int length, default, CultureInfo.InvariantCulture);
        WriteAscii(chars[..length]);
        WriteByte((byte)'\n');
    }

    private void WriteSeriesName(string metricName, string? suffix, ReadOnlySpan<PrometheusLabel> labels, string? leLabel)
    {
        WriteAscii(metricName);
        if (suffix is not null)
        {
            WriteAscii(suffix);
        }

        if (labels.Length > 0 || leLabel is not null)
        {
            WriteByte((byte)'{');
            for (int i = 0; i < labels.Length; i++)
            {
                ThrowIfInvalidLabelName(labels[i].Name);
                if (i > 0)
                {
                    WriteByte((byte)',');
                }

                WriteAscii(labels[i].Name);
                WriteAscii("=\"");
                WriteEscaped(labels[i].Value, escapeQuote: true);
                WriteByte((byte)'"');
            }

            if (leLabel is not null)
            {
                WriteAscii(labels.Length > 0 ? ",le=\"" : "le=\"");
                WriteAscii(leLabel);
                WriteByte((byte)'"');
            }

            WriteByte((byte)'}');
        }

        WriteByte((byte)' ');
    }

    // HELP escapes \ and line feed; label values also escape the double quote. Runs without those characters are
    // copied as UTF-8 in one piece.
    private void WriteEscaped(string text, bool escapeQuote)
    {
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            string? escape = c switch
            {
                '\\' => "\\\\",
                '\n' => "\\n",
                '"' when escapeQuote => "\\\"",
                _ => null,
            };
            if (escape is null)
            {
                continue;
            }

            WriteUtf8(text.AsSpan(start, i - start));
            WriteAscii(escape);
            start = i + 1;
        }

        WriteUtf8(text.AsSpan(start));
    }

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        Span<byte> span = _output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        int written = Encoding.UTF8.GetBytes(text, span);
        _output.Advance(written);
    }

    private void WriteAscii(ReadOnlySpan<char> text)
    {
        Span<byte> span = _output.GetSpan(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            span[i] = (byte)text[i];
        }

        _output.Advance(text.Length);
    }

    private void WriteByte(byte value)
    {
        _output.GetSpan(1)[0] = value;
        _output.Advance(1);
    }

    private static void ThrowIfInvalidMetricName(string metricName)
    {
        if (!IsValidMetricName(metricName))
        {
            throw new ArgumentException($"'{metricName}' is not a valid Prometheus metric name.", nameof(metricName));
        }
    }

    private static void ThrowIfInvalidLabelName(string labelName)
    {
        if (!IsValidLabelName(labelName) || labelName == "le")
        {
            throw new ArgumentException($"'{labelName}' is not a valid Prometheus label name here.", nameof(labelName));
        }
    }
}
