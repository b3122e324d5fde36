using System.Text;
using MarketPush.LoadGen.Runner;

namespace MarketPush.LoadGen.Tests;

public sealed class SymbolUniverseTests
{
    [Theory]
    [InlineData("SYM0000", 0)]
    [InlineData("SYM0042", 42)]
    [InlineData("SYM12345", 12345)]
    public void Generated_FindsItsOwnNames(string symbol, int id)
    {
        SymbolUniverse universe = SymbolUniverse.Generated("SYM", 20_000);

        Assert.True(universe.TryGetId(Encoding.ASCII.GetBytes(symbol), out int found));
        Assert.Equal(id, found);
        Assert.Equal(symbol, universe[id]);
    }

    [Theory]
    [InlineData("SYM42")]
    [InlineData("SYM00042")]
    [InlineData("SYM0100")]
    [InlineData("AAPL")]
    [InlineData("SYM00x1")]
    public void Generated_RejectsNamesItDidNotGenerate(string symbol)
    {
        SymbolUniverse universe = SymbolUniverse.Generated("SYM", 100);

        Assert.False(universe.TryGetId(Encoding.ASCII.GetBytes(symbol), out int id));
        Assert.Equal(-1, id);
    }

    [Fact]
    public void FromList_LooksUpUtf8Names()
    {
        SymbolUniverse universe = SymbolUniverse.FromList(["AAPL", "BTC-USD", "BRK.B"]);

        Assert.True(universe.TryGetId("BRK.B"u8, out int id));
        Assert.Equal(2, id);
        Assert.False(universe.TryGetId("MSFT"u8, out _));
    }
}
