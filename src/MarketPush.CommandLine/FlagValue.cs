using System.Globalization;

namespace MarketPush.CommandLine;

/// <summary>
/// The value parsers and range checks behind <see cref="FlagTable{TOptions}"/>'s typed flags, public for custom
/// flags built from the same pieces. Parsers throw <see cref="FormatException"/> whose message is the problem (the
/// table prefixes the flag); checks return the problem or null. Invariant culture throughout: a flag means the same
/// on every machine.
/// </summary>
public static class FlagValue
{
    /// <summary>A whole number without sign or spaces (NumberStyles.None), within <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static int WholeNumber(string value, int min, int max)
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int result))
        {
            // A minus sign is a number out of range, not a typo: say which range.
            string what = value.StartsWith('-') && int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)
                ? $"{value} is out of range ({Range(min, max)})"
                : $"'{value}' is not a whole number ({Range(min, max)})";
            throw new FormatException(what);
        }

        return CheckRange(result, min, max) is string problem ? throw new FormatException(problem) : result;
    }

    /// <summary>A whole number that may be negative (a seed).</summary>
    public static long SignedWholeNumber(string value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long result)
            ? result
            : throw new FormatException($"'{value}' is not a whole number");

    /// <summary>A decimal number (no sign; an exponent only when <paramref name="allowExponent"/>) within <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static double Number(string value, double min, double max, bool allowExponent = false)
    {
        NumberStyles styles = NumberStyles.AllowDecimalPoint | (allowExponent ? NumberStyles.AllowExponent : NumberStyles.None);
        if (!double.TryParse(value, styles, CultureInfo.InvariantCulture, out double result) || !double.IsFinite(result))
        {
            throw new FormatException($"'{value}' is not a number ({Range(min, max)})");
        }

        return CheckRange(result, min, max) is string problem ? throw new FormatException(problem) : result;
    }

    /// <summary>One of <paramref name="choices"/>' names, ignoring case.</summary>
    public static T Choice<T>(string value, IReadOnlyList<(string Name, T Value)> choices)
    {
        foreach ((string name, T choice) in choices)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                return choice;
            }
        }

        throw new FormatException($"'{value}' is not one of {ChoiceText(choices, ", ")}");
    }

    public static string? CheckRange(int value, int min, int max) =>
        value < min || value > max ? $"{value.ToString(CultureInfo.InvariantCulture)} is out of range ({Range(min, max)})" : null;

    public static string? CheckRange(double value, double min, double max) =>
        !(value >= min && value <= max) ? $"{value.ToString(CultureInfo.InvariantCulture)} is out of range ({Range(min, max)})" : null;

    public static string Range(int min, int max) => $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}";

    public static string Range(double min, double max) => $"{min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)}";

    internal static string ChoiceText<T>(IReadOnlyList<(string Name, T Value)> choices, string separator) =>
        string.Join(separator, choices.Select(c => c.Name));
}
