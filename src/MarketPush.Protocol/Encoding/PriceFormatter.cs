using System.Buffers.Text;
using System.Globalization;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// Turns scaled-integer prices (value × 10^decimals) into the decimal text of PROTOCOL.md and into float64 for
/// MessagePack. The text is built from the integer's digits, never through a double, so 18921 at 2 decimals is
/// always <c>189.21</c> and never <c>189.20999999999998</c>.
/// Format: at most <c>decimals</c> digits after the point, trailing zeros trimmed, no point when nothing is left
/// (<c>189.2</c>, <c>60000</c>, <c>0</c>), never an exponent. Trimming makes the text equal to what JavaScript's
/// Number#toString prints for the parsed number (for magnitudes from 1e-6 up), so a browser client can rebuild
/// the book checksum text from parsed numbers.
/// Pure and thread-safe; called by the encoders on the router's thread and by <see cref="BookChecksum"/>.
/// </summary>
public static class PriceFormatter
{
    /// <summary>Longest possible output: sign, 20 digits (19 of a long plus a leading 0) and the point.</summary>
    public const int MaxLength = 22;

    private static readonly ulong[] s_pow10 = CreatePowersOfTen();

    /// <summary>10^0..10^18 as doubles; each is exact, which is what makes <see cref="ToDouble"/> correctly rounded.</summary>
    private static readonly double[] s_pow10Double = [.. s_pow10.Select(static p => (double)p)];

    /// <summary>Writes the price text into <paramref name="destination"/> and returns the byte count.</summary>
    /// <exception cref="ArgumentException">The destination is shorter than the text (it never is at <see cref="MaxLength"/>).</exception>
    public static int Format(long scaledValue, int decimals, Span<byte> destination)
    {
        if ((uint)decimals > Messages.Instrument.MaxDecimals)
        {
            throw new ArgumentOutOfRangeException(nameof(decimals));
        }

        int position = 0;
        ulong magnitude;
        if (scaledValue < 0)
        {
            destination[position++] = (byte)'-';
            magnitude = unchecked((ulong)(-(scaledValue + 1)) + 1); // long.MinValue has no positive long counterpart
        }
        else
        {
            magnitude = (ulong)scaledValue;
        }

        ulong scale = s_pow10[decimals];
        ulong integerPart = magnitude / scale;
        ulong fraction = magnitude - (integerPart * scale);

        if (!Utf8Formatter.TryFormat(integerPart, destination.Slice(position), out int written))
        {
            throw new ArgumentException("Destination too short for the price.", nameof(destination));
        }

        position += written;
        if (fraction == 0)
        {
            return position;
        }

        int digits = decimals;
        while (fraction % 10 == 0)
        {
            fraction /= 10;
            digits--;
        }

        Span<byte> tail = destination.Slice(position, digits + 1);
        tail[0] = (byte)'.';
        for (int i = digits; i >= 1; i--)
        {
            tail[i] = (byte)('0' + (int)(fraction % 10));
            fraction /= 10;
        }

        return position + digits + 1;
    }

    /// <summary>The price text as a string (cold path: allocates).</summary>
    public static string ToString(long scaledValue, int decimals)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        int length = Format(scaledValue, decimals, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer.Slice(0, length));
    }

    /// <summary>
    /// The double nearest to the decimal value, as MessagePack carries prices. For |value| ≤ 2^53 both operands of
    /// the division are exact doubles and IEEE division rounds correctly, so the result is exactly what a client's
    /// JSON parser produces from the text; beyond that the text itself is parsed (correctly rounded since .NET Core 3.0).
    /// </summary>
    public static double ToDouble(long scaledValue, int decimals)
    {
        if ((uint)decimals > Messages.Instrument.MaxDecimals)
        {
            throw new ArgumentOutOfRangeException(nameof(decimals));
        }

        const long exactLimit = 1L << 53;
        if (scaledValue is <= exactLimit and >= -exactLimit)
        {
            return scaledValue / s_pow10Double[decimals];
        }

        Span<byte> buffer = stackalloc byte[MaxLength];
        int length = Format(scaledValue, decimals, buffer);
        return double.Parse(buffer.Slice(0, length), NumberStyles.Float, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Parses decimal text (<c>-?digits(.digits)?</c>, no exponent) into a scaled integer. Fails when the text has
    /// more significant fractional digits than <paramref name="decimals"/> or does not fit a long.
    /// Used by replay feeds and tests; not on the hot path.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> text, int decimals, out long scaledValue)
    {
        scaledValue = 0;
        if ((uint)decimals > Messages.Instrument.MaxDecimals || text.IsEmpty)
        {
            return false;
        }

        bool negative = text[0] == '-';
        if (negative)
        {
            text = text.Slice(1);
        }

        int point = text.IndexOf('.');
        ReadOnlySpan<char> integerText = point < 0 ? text : text.Slice(0, point);
        ReadOnlySpan<char> fractionText = point < 0 ? default : text.Slice(point + 1);
        if (integerText.IsEmpty || (point >= 0 && fractionText.IsEmpty))
        {
            return false;
        }

        fractionText = fractionText.TrimEnd('0');
        if (fractionText.Length > decimals)
        {
            return false;
        }

        ulong magnitude = 0;
        try
        {
            foreach (char c in integerText)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                magnitude = checked((magnitude * 10) + (ulong)(c - '0'));
            }

            magnitude = checked(magnitude * s_pow10[decimals]);
            ulong fraction = 0;
            foreach (char c in fractionText)
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }

                fraction = (fraction * 10) + (ulong)(c - '0');
            }

            magnitude = checked(magnitude + (fraction * s_pow10[decimals - fractionText.Length]));
        }
        catch (OverflowException)
        {
            return false;
        }

        if (negative)
        {
            if (magnitude > (ulong)long.MaxValue + 1)
            {
                return false;
            }

            scaledValue = unchecked(-(long)magnitude);
            return true;
        }

        if (magnitude > long.MaxValue)
        {
            return false;
        }

        scaledValue = (long)magnitude;
        return true;
    }

    /// <summary>10^<paramref name="decimals"/> as a long (the scale of an instrument).</summary>
    public static long Scale(int decimals) => (long)s_pow10[decimals];

    private static ulong[] CreatePowersOfTen()
    {
        var powers = new ulong[Messages.Instrument.MaxDecimals + 1];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
