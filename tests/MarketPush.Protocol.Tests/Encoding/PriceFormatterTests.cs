using System.Globalization;
using System.Text;
using MarketPush.Protocol.Encodings;

namespace MarketPush.Protocol.Tests.Encodings;

public class PriceFormatterTests
{
    [Theory]
    [InlineData(18921L, 2, "189.21")]
    [InlineData(18920L, 2, "189.2")]
    [InlineData(18900L, 2, "189")]
    [InlineData(1234L, 8, "0.00001234")]
    [InlineData(1L, 8, "0.00000001")]
    [InlineData(0L, 2, "0")]
    [InlineData(0L, 0, "0")]
    [InlineData(6000000L, 2, "60000")]
    [InlineData(6000001L, 2, "60000.01")]
    [InlineData(150123L, 3, "150.123")]
    [InlineData(5L, 0, "5")]
    [InlineData(-18921L, 2, "-189.21")]
    [InlineData(-1L, 4, "-0.0001")]
    [InlineData(long.MaxValue, 18, "9.223372036854775807")]
    [InlineData(long.MaxValue, 0, "9223372036854775807")]
    [InlineData(long.MinValue, 18, "-9.223372036854775808")]
    [InlineData(long.MinValue, 2, "-92233720368547758.08")]
    [InlineData(10L, 1, "1")]
    [InlineData(100000000000000000L, 18, "0.1")]
    public void Format_WritesDigitsOfTheScaledInteger_TrimmedAndWithoutExponent(long scaled, int decimals, string expected)
    {
        Span<byte> buffer = stackalloc byte[PriceFormatter.MaxLength];
        int length = PriceFormatter.Format(scaled, decimals, buffer);

        Assert.Equal(expected, Encoding.ASCII.GetString(buffer.Slice(0, length)));
        Assert.Equal(expected, PriceFormatter.ToString(scaled, decimals));
    }

    [Theory]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    [InlineData(1L)]
    public void Format_FitsMaxLength_ForExtremeValuesAtEveryScale(long scaled)
    {
        byte[] buffer = new byte[PriceFormatter.MaxLength];
        for (int decimals = 0; decimals <= 18; decimals++)
        {
            int length = PriceFormatter.Format(scaled, decimals, buffer);
            Assert.InRange(length, 1, PriceFormatter.MaxLength);
        }
    }

    [Fact]
    public void ToDouble_IsTheDoubleNearestTheText_ForRandomPrices()
    {
        var random = new Random(12345);
        for (int i = 0; i < 20_000; i++)
        {
            int decimals = random.Next(0, 11);
            long scaled = random.NextInt64(0, 1L << 53) >> random.Next(0, 50);
            string text = PriceFormatter.ToString(scaled, decimals);

            // double.Parse is correctly rounded, as are the JSON parsers of Python and JavaScript.
            double expected = double.Parse(text, CultureInfo.InvariantCulture);
            Assert.Equal(expected, PriceFormatter.ToDouble(scaled, decimals));
        }
    }

    [Theory]
    [InlineData(18921L, 2, 189.21)]
    [InlineData(1234L, 8, 0.00001234)]
    [InlineData(long.MaxValue, 2, 92233720368547758.07)]
    [InlineData(-long.MaxValue, 4, -922337203685477.5807)]
    public void ToDouble_MatchesTheDecimalLiteral(long scaled, int decimals, double expected)
    {
        Assert.Equal(expected, PriceFormatter.ToDouble(scaled, decimals));
    }

    [Theory]
    [InlineData("189.21", 2, 18921L)]
    [InlineData("189.2", 2, 18920L)]
    [InlineData("189.2000", 2, 18920L)]
    [InlineData("0.00001234", 8, 1234L)]
    [InlineData("-3.5", 1, -35L)]
    [InlineData("60000", 2, 6000000L)]
    [InlineData("-9.223372036854775808", 18, long.MinValue)]
    public void TryParse_ReadsDecimalText(string text, int decimals, long expected)
    {
        Assert.True(PriceFormatter.TryParse(text, decimals, out long scaled));
        Assert.Equal(expected, scaled);
    }

    [Theory]
    [InlineData("189.215", 2)]
    [InlineData("1e5", 2)]
    [InlineData("", 2)]
    [InlineData(".5", 2)]
    [InlineData("5.", 2)]
    [InlineData("92233720368547758.08", 2)]
    [InlineData("12a", 0)]
    public void TryParse_RejectsTextThatIsNotAPriceOfThoseDecimals(string text, int decimals)
    {
        Assert.False(PriceFormatter.TryParse(text, decimals, out _));
    }
}
