using System.Globalization;
using MarketPush.Protocol.Encodings;

namespace MarketPush.Feeds.Exchange;

/// <summary>Parsing of the venue's text values (decimal strings, ISO-8601 times) straight from UTF-8, without allocating.</summary>
internal static class ExchangeText
{
    private const int MaxNumberLength = 40;

    /// <summary>A decimal string ("10101.10000000") as a scaled integer at exactly <paramref name="decimals"/>; false if it has more significant decimals.</summary>
    public static bool TryParseExact(ReadOnlySpan<byte> text, int decimals, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > MaxNumberLength)
        {
            return false;
        }

        Span<char> chars = stackalloc char[MaxNumberLength];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        return PriceFormatter.TryParse(chars.Slice(0, text.Length), decimals, out value);
    }

    /// <summary>
    /// A size string at <paramref name="decimals"/>, rounding extra digits half up; a positive size never becomes 0
    /// (0 would remove the level), and a negative one is refused.
    /// </summary>
    public static bool TryParseSize(ReadOnlySpan<byte> text, int decimals, out long value)
    {
        if (TryParseExact(text, decimals, out value))
        {
            return value >= 0;
        }

        int point = text.IndexOf((byte)'.');
        if (point < 0 || text.Length > MaxNumberLength || (text.Length > 0 && text[0] == (byte)'-'))
        {
            return false;
        }

        int keep = point + 1 + decimals; // digits up to the last kept decimal
        if (!TryParseExact(text.Slice(0, decimals == 0 ? point : keep), decimals, out value))
        {
            return false;
        }

        bool nonZeroDropped = text.Slice(keep).IndexOfAnyExcept((byte)'0') >= 0;
        if (text[keep] >= (byte)'5')
        {
            value++;
        }
        else if (value == 0 && nonZeroDropped)
        {
            value = 1;
        }

        return true;
    }

    /// <summary>"2014-11-07T08:19:27.028459Z" as microseconds since the Unix epoch.</summary>
    public static bool TryParseTime(ReadOnlySpan<byte> text, out long micros)
    {
        micros = 0;
        if (text.IsEmpty || text.Length > 40)
        {
            return false;
        }

        Span<char> chars = stackalloc char[40];
        for (int i = 0; i < text.Length; i++)
        {
            chars[i] = (char)text[i];
        }

        ReadOnlySpan<char> value = chars.Slice(0, text.Length);

        // .NET reads at most 7 fractional digits; venues sending nanoseconds lose the last two.
        int point = value.IndexOf('.');
        if (point >= 0)
        {
            int end = point + 1;
            while (end < value.Length && char.IsAsciiDigit(value[end]))
            {
                end++;
            }

            if (end - point - 1 > 7)
            {
                Span<char> trimmed = stackalloc char[40];
                value.Slice(0, point + 8).CopyTo(trimmed);
                value.Slice(end).CopyTo(trimmed.Slice(point + 8));
                value = trimmed.Slice(0, point + 8 + value.Length - end).ToArray();
            }
        }

        if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset time))
        {
            return false;
        }

        micros = (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        return true;
    }
}
