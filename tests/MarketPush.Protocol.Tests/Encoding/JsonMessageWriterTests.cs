using System.Buffers;
using System.Text;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

public class JsonMessageWriterTests
{
    private static readonly Instrument s_aapl = new(0, "AAPL", 2, 1, "Apple Inc.");
    private static readonly Instrument s_shib = new(1, "SHIB-USD", 8, 1, "Shiba Inu / US Dollar");
    private static readonly JsonMessageWriter s_writer = JsonMessageWriter.Instance;

    [Fact]
    public void WriteQuote_MatchesTheProtocolExample()
    {
        string json = Write(o => s_writer.WriteQuote(o, s_aapl, 1041, 1763769600123456, new Quote(18921, 300, 18923, 200), snapshot: true));

        Assert.Equal("""{"type":"quote","symbol":"AAPL","seq":1041,"ts":1763769600123456,"bid":189.21,"bidSize":300,"ask":189.23,"askSize":200,"snapshot":true}""", json);
    }

    [Fact]
    public void WriteQuote_OmitsSnapshotForLiveUpdates_AndWritesSmallPricesWithoutExponent()
    {
        string json = Write(o => s_writer.WriteQuote(o, s_shib, 7, 1, new Quote(1234, 10_000_000, 1235, 0), snapshot: false));

        Assert.Equal("""{"type":"quote","symbol":"SHIB-USD","seq":7,"ts":1,"bid":0.00001234,"bidSize":10000000,"ask":0.00001235,"askSize":0}""", json);
    }

    [Theory]
    [InlineData(TradeSide.Buy, false, """{"type":"trade","symbol":"AAPL","seq":377,"ts":1763769600120001,"price":189.22,"size":100,"side":"buy"}""")]
    [InlineData(TradeSide.Sell, false, """{"type":"trade","symbol":"AAPL","seq":377,"ts":1763769600120001,"price":189.22,"size":100,"side":"sell"}""")]
    [InlineData(TradeSide.Unknown, true, """{"type":"trade","symbol":"AAPL","seq":377,"ts":1763769600120001,"price":189.22,"size":100,"side":"unknown","snapshot":true}""")]
    public void WriteTrade_WritesEverySide(TradeSide side, bool snapshot, string expected)
    {
        string json = Write(o => s_writer.WriteTrade(o, s_aapl, 377, 1763769600120001, new Trade(18922, 100, side), snapshot));

        Assert.Equal(expected, json);
    }

    [Fact]
    public void WriteBook_WritesLevelsBestFirstWithRemovalsAsZero_AndAlwaysTheSnapshotFlag()
    {
        BookLevel[] bids = [new(18921, 300), new(18920, 0)];
        BookLevel[] asks = [new(18923, 200)];

        string delta = Write(o => s_writer.WriteBook(o, s_aapl, 5, 1763769600125002, bids, asks, snapshot: false, checksum: 4294967295));
        string snapshot = Write(o => s_writer.WriteBook(o, s_aapl, 6, 1763769600125003, [], [], snapshot: true, checksum: 0));

        Assert.Equal("""{"type":"book","symbol":"AAPL","seq":5,"ts":1763769600125002,"bids":[[189.21,300],[189.2,0]],"asks":[[189.23,200]],"snapshot":false,"checksum":4294967295}""", delta);
        Assert.Equal("""{"type":"book","symbol":"AAPL","seq":6,"ts":1763769600125003,"bids":[],"asks":[],"snapshot":true,"checksum":0}""", snapshot);
    }

    [Theory]
    [InlineData(FeedState.Open, "open")]
    [InlineData(FeedState.Halted, "halted")]
    [InlineData(FeedState.Stale, "stale")]
    public void WriteStatus_WritesTheState(FeedState state, string name)
    {
        string json = Write(o => s_writer.WriteStatus(o, s_aapl, state, 42));

        Assert.Equal($$"""{"type":"status","symbol":"AAPL","state":"{{name}}","ts":42}""", json);
    }

    [Fact]
    public void WriteHeartbeat_WritesTs()
    {
        Assert.Equal("""{"type":"heartbeat","ts":1763769600000000}""", Write(o => s_writer.WriteHeartbeat(o, 1763769600000000)));
    }

    [Fact]
    public void WritePong_EchoesTheId_AndOmitsItWhenTheCommandHadNone()
    {
        Assert.Equal("""{"type":"pong","id":9007199254740991,"ts":5}""", Write(o => s_writer.WritePong(o, 9007199254740991, 5)));
        Assert.Equal("""{"type":"pong","ts":5}""", Write(o => s_writer.WritePong(o, null, 5)));
    }

    [Fact]
    public void WriteSubscribed_MatchesTheProtocolExample()
    {
        string json = Write(o => s_writer.WriteSubscribed(o, 1, ["AAPL"], MarketChannels.Trade | MarketChannels.Quote, [new SymbolRejection("ZZZZ", RejectReason.UnknownSymbol)]));

        Assert.Equal("""{"type":"subscribed","id":1,"symbols":["AAPL"],"channels":["quote","trade"],"rejected":[{"symbol":"ZZZZ","reason":"unknown_symbol"}]}""", json);
    }

    [Fact]
    public void WriteSubscribed_WritesEveryReason_AndEscapesClientSymbols()
    {
        SymbolRejection[] rejected = [new("A\"B", RejectReason.Forbidden), new("C\\D\n", RejectReason.Limit)];

        string json = Write(o => s_writer.WriteSubscribed(o, null, [], MarketChannels.All, rejected));

        Assert.Equal("""{"type":"subscribed","symbols":[],"channels":["quote","trade","book"],"rejected":[{"symbol":"A\"B","reason":"forbidden"},{"symbol":"C\\D\n","reason":"limit"}]}""", json);
    }

    [Fact]
    public void WriteUnsubscribed_WritesSymbolsAndChannels()
    {
        string json = Write(o => s_writer.WriteUnsubscribed(o, 2, ["AAPL", "MSFT"], MarketChannels.Book));

        Assert.Equal("""{"type":"unsubscribed","id":2,"symbols":["AAPL","MSFT"],"channels":["book"]}""", json);
    }

    [Fact]
    public void WriteSymbols_ListsSymbolDecimalsAndDescription()
    {
        string json = Write(o => s_writer.WriteSymbols(o, 3, [s_aapl, s_shib]));

        Assert.Equal("""{"type":"symbols","id":3,"symbols":[{"symbol":"AAPL","decimals":2,"description":"Apple Inc."},{"symbol":"SHIB-USD","decimals":8,"description":"Shiba Inu / US Dollar"}]}""", json);
    }

    [Fact]
    public void WriteError_EscapesTheMessage_AndPassesNonAsciiThroughAsUtf8()
    {
        string json = Write(o => s_writer.WriteError(o, 4, ErrorCodes.BadRequest, "bad \"depth\"\t\u0001 – 7 ≠ 10"));

        Assert.Equal("{\"type\":\"error\",\"id\":4,\"code\":\"bad_request\",\"message\":\"bad \\\"depth\\\"\\t\\u0001 – 7 ≠ 10\"}", json);
        Assert.Equal("""{"type":"error","code":"unknown_op","message":"x"}""", Write(o => s_writer.WriteError(o, null, ErrorCodes.UnknownOp, "x")));
    }

    [Fact]
    public void WriteWelcome_WritesSessionServerHeartbeatEncodingAndCompression()
    {
        string json = Write(o => s_writer.WriteWelcome(o, "s-1f", "marketpush/1.0.0", 15000, "json", compression: true));

        Assert.Equal("""{"type":"welcome","session":"s-1f","server":"marketpush/1.0.0","heartbeatMs":15000,"encoding":"json","compression":true}""", json);
    }

    [Fact]
    public void Writers_AppendOneMessageEach_WhenTheBufferWriterHandsOutTinySpans()
    {
        // A writer that never gives more than asked exercises every growth path of the output cursor.
        var tiny = new TinyBufferWriter();
        var bids = new BookLevel[50];
        for (int i = 0; i < bids.Length; i++)
        {
            bids[i] = new BookLevel(18921 - i, 100 + i);
        }

        // Descriptions far longer than the writer's size estimate force it back to the buffer writer mid-message.
        Instrument[] instruments = [.. Enumerable.Range(0, 20).Select(i => new Instrument(i, $"S{i}", 2, 1, new string('d', 300) + "\"é"))];
        var reference = new ArrayBufferWriter<byte>();
        foreach (IBufferWriter<byte> output in new IBufferWriter<byte>[] { tiny, reference })
        {
            s_writer.WriteBook(output, s_aapl, 1, 2, bids, bids, snapshot: true, checksum: 3);
            s_writer.WriteSymbols(output, 1, instruments);
            s_writer.WriteError(output, 1, ErrorCodes.BadRequest, new string('m', 5000));
        }

        Assert.Equal(Encoding.UTF8.GetString(reference.WrittenSpan), Encoding.UTF8.GetString(tiny.Written));
    }

    [Fact]
    public void WriteQuote_AllocatesNothing_AfterWarmUp()
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var quote = new Quote(18921, 300, 18923, 200);
        s_writer.WriteQuote(buffer, s_aapl, 1, 2, quote, snapshot: false);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            s_writer.WriteQuote(buffer, s_aapl, i, 2, quote, snapshot: false);
            s_writer.WriteBook(buffer, s_aapl, i, 2, [new(1, 2)], [], snapshot: false, checksum: 7);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static string Write(Action<IBufferWriter<byte>> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Returns spans exactly as large as requested (and at least 1), like a writer over small pooled segments.</summary>
    private sealed class TinyBufferWriter : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public byte[] Written => [.. _written];

        public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(1, sizeHint)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}
