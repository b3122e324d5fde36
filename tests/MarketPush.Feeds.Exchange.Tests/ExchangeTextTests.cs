namespace MarketPush.Feeds.Exchange.Tests;

public class ExchangeTextTests
{
    [Theory]
    [InlineData("60000.10000000", 2, 6_000_010)]
    [InlineData("0.00001234", 8, 1_234)]
    [InlineData("42", 2, 4_200)]
    public void Prices_ParseExactly_TrailingZerosAllowed(string text, int decimals, long expected)
    {
        Assert.True(ExchangeText.TryParseExact(System.Text.Encoding.ASCII.GetBytes(text), decimals, out long value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("60000.123")]
    [InlineData("1e3")]
    [InlineData("")]
    public void Prices_FinerThanTheInstrument_OrNotDecimal_AreRefused(string text) =>
        Assert.False(ExchangeText.TryParseExact(System.Text.Encoding.ASCII.GetBytes(text), 2, out _));

    [Theory]
    [InlineData("0.45054140", 45_054_140)]
    [InlineData("1.5", 150_000_000)]
    [InlineData("0.000000015", 2)]          // rounded half up
    [InlineData("0.0000000149", 1)]
    [InlineData("0.000000001", 1)]          // never 0: that would remove the level
    [InlineData("0", 0)]
    public void Sizes_AreScaledToSizeDecimals(string text, long expected)
    {
        Assert.True(ExchangeText.TryParseSize(System.Text.Encoding.ASCII.GetBytes(text), 8, out long value));
        Assert.Equal(expected, value);
    }

    [Fact]
    public void NegativeSizes_AreRefused() => Assert.False(ExchangeText.TryParseSize("-1.0"u8, 8, out _));

    [Theory]
    [InlineData("2014-11-07T08:19:27.028459Z", 1_415_348_367_028_459)]
    [InlineData("2014-11-07T08:19:27Z", 1_415_348_367_000_000)]
    [InlineData("2014-11-07T08:19:27.028459123Z", 1_415_348_367_028_459)] // nanoseconds: the last digits are dropped
    [InlineData("2014-11-07T09:19:27.5+01:00", 1_415_348_367_500_000)]
    public void Times_AreMicrosecondsSinceTheEpoch(string text, long expected)
    {
        Assert.True(ExchangeText.TryParseTime(System.Text.Encoding.ASCII.GetBytes(text), out long micros));
        Assert.Equal(expected, micros);
    }
}
