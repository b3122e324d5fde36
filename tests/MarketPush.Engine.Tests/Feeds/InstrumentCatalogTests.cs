using MarketPush.Engine.Feeds;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Feeds;

public class InstrumentCatalogTests
{
    [Fact]
    public void CreateDefault_HasAFewHundredUniqueInstruments_SortedBySymbol_WithDenseIds()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateDefault();

        Assert.InRange(catalog.Count, 300, 1000);
        for (int i = 0; i < catalog.Count; i++)
        {
            Assert.Equal(i, catalog[i].Id);
            Assert.True(catalog.TryGet(catalog[i].Symbol, out Instrument? found));
            Assert.Same(catalog[i], found);
            Assert.True(catalog.GetReferencePrice(i) > 0, catalog[i].Symbol);
            Assert.False(string.IsNullOrWhiteSpace(catalog[i].Description));
            if (i > 0)
            {
                Assert.True(string.CompareOrdinal(catalog[i - 1].Symbol, catalog[i].Symbol) < 0);
            }
        }
    }

    [Theory]
    [InlineData("AAPL", 2, 1, 150.0, 250.0)]
    [InlineData("MSFT", 2, 1, 300.0, 550.0)]
    [InlineData("NVDA", 2, 1, 50.0, 1500.0)]
    [InlineData("BTC-USD", 2, 1, 20000.0, 150000.0)]
    [InlineData("ETH-USD", 2, 1, 1000.0, 8000.0)]
    [InlineData("SOL-USD", 3, 1, 20.0, 500.0)]
    [InlineData("SHIB-USD", 8, 1, 0.000001, 0.0001)]
    public void CreateDefault_HasWellKnownInstruments_AtPlausiblePrices(string symbol, int decimals, long tickSize, double minPrice, double maxPrice)
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateDefault();

        Assert.True(catalog.TryGet(symbol, out Instrument? instrument));
        Assert.Equal(decimals, instrument.Decimals);
        Assert.Equal(tickSize, instrument.TickSize);
        Assert.InRange(PriceFormatter.ToDouble(catalog.GetReferencePrice(instrument.Id), decimals), minPrice, maxPrice);
    }

    [Fact]
    public void TryGet_IsCaseSensitive()
    {
        Assert.False(InstrumentCatalog.CreateDefault().TryGet("aapl", out _));
    }

    [Fact]
    public void FindByPrefix_IsOrdinalAndCaseSensitive_AndNullMeansAll()
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateDefault();

        List<Instrument> aa = catalog.FindByPrefix("AA");

        Assert.Contains(aa, static i => i.Symbol == "AAPL");
        Assert.All(aa, static i => Assert.StartsWith("AA", i.Symbol, StringComparison.Ordinal));
        Assert.Empty(catalog.FindByPrefix("aa"));
        Assert.Equal(catalog.Count, catalog.FindByPrefix(null).Count);
    }

    [Theory]
    [InlineData(1, "SYM0000")]
    [InlineData(5, "SYM0004")]
    [InlineData(10000, "SYM9999")]
    [InlineData(10001, "SYM10000")]
    public void CreateGenerated_HasExactlyNInstrumentsNamedSym0000ToSymNMinus1(int count, string last)
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(count);

        Assert.Equal(count, catalog.Count);
        Assert.Equal("SYM0000", catalog[0].Symbol);
        Assert.Equal(last, catalog[count - 1].Symbol);
        Assert.All(catalog.Instruments, instrument =>
        {
            Assert.Equal(2, instrument.Decimals);
            Assert.InRange(catalog.GetReferencePrice(instrument.Id), 1_000, 50_000);
        });
    }

    [Fact]
    public void Constructor_RejectsDuplicateSymbolsAndIdsOutOfOrder()
    {
        Assert.Throws<ArgumentException>(() => new InstrumentCatalog([new Instrument(0, "A", 2, 1, ""), new Instrument(1, "A", 2, 1, "")]));
        Assert.Throws<ArgumentException>(() => new InstrumentCatalog([new Instrument(1, "A", 2, 1, "")]));
    }
}
