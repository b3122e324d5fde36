using System.Globalization;
using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Reports;

/// <summary>Number formatting shared by the Markdown, HTML and summary writers (invariant culture, human units).</summary>
internal static class ReportFormat
{
    public static string Rate(double perSecond) => perSecond switch
    {
        >= 1e6 => (perSecond / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (perSecond / 1e3).ToString("0", CultureInfo.InvariantCulture) + "k",
        >= 1e3 => (perSecond / 1e3).ToString("0.0", CultureInfo.InvariantCulture) + "k",
        _ => perSecond.ToString("0.#", CultureInfo.InvariantCulture),
    };

    public static string Bytes(double bytes) => Math.Abs(bytes) switch
    {
        >= 1L << 30 => (bytes / (1L << 30)).ToString("0.00", CultureInfo.InvariantCulture) + " GiB",
        >= 1 << 20 => (bytes / (1 << 20)).ToString("0.0", CultureInfo.InvariantCulture) + " MiB",
        >= 1 << 10 => (bytes / (1 << 10)).ToString("0.0", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("0", CultureInfo.InvariantCulture) + " B",
    };

    /// <summary>Microseconds shown as milliseconds with sensible precision.</summary>
    public static string Ms(double micros) => (micros / 1000.0).ToString(micros < 10_000 ? "0.000" : micros < 100_000 ? "0.00" : "0.0", CultureInfo.InvariantCulture);

    public static string Number(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);

    public static string Integer(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percentiles(LatencySummary summary) =>
        summary.Count == 0
            ? "–"
            : $"{Ms(summary.P50)} / {Ms(summary.P90)} / {Ms(summary.P99)} / {Ms(summary.P999)} / {Ms(summary.Max)}";

    public static string Counts(IReadOnlyDictionary<string, long>? counts) =>
        counts is null || counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key} × {Integer(c.Value)}"));
}
