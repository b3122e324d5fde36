using System.Text;
using MarketPush.LoadGen.Measure;

namespace MarketPush.LoadGen.Tests;

public sealed class QuoteScannerTests
{
    [Fact]
    public void TryReadQuote_ReadsSymbolSeqAndTs_FromAProtocolQuote()
    {
        byte[] quote = Encoding.UTF8.GetBytes("""{"type":"quote","symbol":"AAPL","seq":1042,"ts":1763769600125002,"bid":189.22,"bidSize":100,"ask":189.23,"askSize":200}""");

        Assert.Equal(ServerMessageKind.Quote, QuoteScanner.Classify(quote));
        Assert.True(QuoteScanner.TryReadQuote(quote, out ReadOnlySpan<byte> symbol, out long seq, out long ts));
        Assert.Equal("AAPL", Encoding.UTF8.GetString(symbol));
        Assert.Equal(1042, seq);
        Assert.Equal(1763769600125002, ts);
        Assert.False(QuoteScanner.IsSnapshot(quote));
    }

    [Fact]
    public void TryReadQuote_FindsFields_InAnyOrder()
    {
        byte[] quote = Encoding.UTF8.GetBytes("""{"ts": 77,"bid":1.5,"type":"quote","seq":9,"symbol":"SYM0003"}""");

        Assert.Equal(ServerMessageKind.Quote, QuoteScanner.Classify(quote));
        Assert.True(QuoteScanner.TryReadQuote(quote, out ReadOnlySpan<byte> symbol, out long seq, out long ts));
        Assert.Equal("SYM0003", Encoding.UTF8.GetString(symbol));
        Assert.Equal(9, seq);
        Assert.Equal(77, ts);
    }

    [Theory]
    [InlineData("""{"type":"quote","symbol":"AAPL","ts":5}""")]
    [InlineData("""{"type":"quote","symbol":"AAPL","seq":"x","ts":5}""")]
    [InlineData("""{"type":"quote","seq":1,"ts":5}""")]
    public void TryReadQuote_Fails_WhenAFieldIsMissingOrNotANumber(string json)
    {
        Assert.False(QuoteScanner.TryReadQuote(Encoding.UTF8.GetBytes(json), out _, out _, out _));
    }

    [Theory]
    [InlineData("""{"type":"welcome","session":"s1","server":"marketpush/1.0"}""", "Welcome")]
    [InlineData("""{"type":"subscribed","id":1,"symbols":["AAPL"]}""", "Subscribed")]
    [InlineData("""{"type":"heartbeat","ts":1}""", "Heartbeat")]
    [InlineData("""{"type":"error","code":"bad_request"}""", "Error")]
    [InlineData("""{"id":3,"type":"pong","ts":1}""", "Pong")]
    [InlineData("""{"type":"book","symbol":"AAPL"}""", "Other")]
    [InlineData("""not json""", "Other")]
    public void Classify_ReadsTheType(string json, string expected)
    {
        Assert.Equal(expected, QuoteScanner.Classify(Encoding.UTF8.GetBytes(json)).ToString());
    }

    [Fact]
    public void IsSnapshot_RecognisesTheSnapshotFlag()
    {
        byte[] snapshot = Encoding.UTF8.GetBytes("""{"type":"quote","symbol":"AAPL","seq":1041,"ts":1,"bid":1,"bidSize":1,"ask":2,"askSize":1,"snapshot":true}""");

        Assert.True(QuoteScanner.IsSnapshot(snapshot));
    }
}
