using System.Globalization;

namespace MarketPush.LoadGen.Reports;

/// <summary>
/// Median and min–max of one figure over repeated runs: how the bench summary quotes every number
/// (PERFORMANCE-NOTES.md: runs on this machine vary by 20–30%, so one run proves nothing).
/// </summary>
public readonly record struct Spread(double Median, double Min, double Max, int Count)
{
    /// <summary>Null when no run has the figure.</summary>
    public static Spread? Of(IEnumerable<double?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] sorted = [.. values.Where(v => v is double d && double.IsFinite(d)).Select(v => v!.Value).Order()];
        if (sorted.Length == 0)
        {
            return null;
        }

        int middle = sorted.Length / 2;
        double median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Spread(median, sorted[0], sorted[^1], sorted.Length);
    }

    /// <summary>"1.2M (1.1M–1.3M)" with the given formatter; a single run shows only its value.</summary>
    public string Format(Func<double, string> format)
    {
        ArgumentNullException.ThrowIfNull(format);
        return Count <= 1 || Min == Max
            ? format(Median)
            : string.Create(CultureInfo.InvariantCulture, $"{format(Median)} ({format(Min)}–{format(Max)})");
    }
}
