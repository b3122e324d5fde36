using System.Buffers;
using System.Text;
using System.Text.Json;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

public class MessagePackMessageWriterTests
{
    /// <summary>
    /// For every case: the MessagePack map must decode to exactly what json.loads makes of the JSON form, keys in
    /// the same order, non-price numbers as ints and prices as floats; and its bytes must equal what python-msgpack
    /// itself packs for that value (so every int, str, array and map uses the shortest format).
    /// </summary>
    private const string CrossCheckScript = """
        import sys, json, msgpack
        PRICE_KEYS = ('bid', 'ask', 'price')
        def typed(value, price=False):
            if isinstance(value, dict):
                return {k: typed(v, k in PRICE_KEYS) if k not in ('bids', 'asks') else [[float(l[0]), l[1]] for l in v] for k, v in value.items()}
            if isinstance(value, list):
                return [typed(v) for v in value]
            if price:
                return float(value)
            return value
        def same(a, b):
            if type(a) is not type(b):
                return False
            if isinstance(a, dict):
                return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
            if isinstance(a, list):
                return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
            return a == b
        for line in sys.stdin:
            case = json.loads(line)
            parsed = json.loads(case['json'])
            packed = bytes.fromhex(case['msgpack'])
            decoded = msgpack.unpackb(packed, raw=False)
            expected = typed(parsed)
            if decoded != parsed:
                print(case['name'], 'NOT_EQUAL', repr(decoded)[:300], '!=', repr(parsed)[:300])
            elif not same(decoded, expected):
                print(case['name'], 'TYPES_OR_KEY_ORDER_DIFFER', repr(decoded)[:300])
            elif msgpack.packb(expected) != packed:
                print(case['name'], 'NOT_SHORTEST_FORM', msgpack.packb(expected).hex()[:200], packed.hex()[:200])
            else:
                print(case['name'], 'OK')
        """;

    [PythonFact]
    public void EveryMessage_DecodesWithPythonMsgpackToExactlyTheParsedJson()
    {
        var input = new StringBuilder();
        var names = new List<string>();
        foreach ((string name, Action<IMarketMessageWriter, IBufferWriter<byte>> write) in MessageCases.All())
        {
            var json = new ArrayBufferWriter<byte>();
            var msgpack = new ArrayBufferWriter<byte>();
            write(JsonMessageWriter.Instance, json);
            write(MessagePackMessageWriter.Instance, msgpack);
            input.AppendLine(JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["name"] = name,
                ["json"] = Encoding.UTF8.GetString(json.WrittenSpan),
                ["msgpack"] = Convert.ToHexString(msgpack.WrittenSpan),
            }));
            names.Add(name);
        }

        string[] verdicts = PythonPeer.Run(CrossCheckScript, input.ToString()).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(names.Select(static n => $"{n} OK"), verdicts);
    }

    [Fact]
    public void WriteHeartbeat_IsAFixmapWithFixstrKeysAndUint64Ts()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessagePackMessageWriter.Instance.WriteHeartbeat(buffer, 1763769600000000);

        // fixmap(2) fixstr "type" fixstr "heartbeat" fixstr "ts" uint64 (the value needs more than 32 bits)
        Assert.Equal("82A474797065A9686561727462656174A27473CF000644239C794000", Convert.ToHexString(buffer.WrittenSpan));
    }

    [Fact]
    public void WriteQuote_WritesPricesAsFloat64NearestTheDecimalValue()
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessagePackMessageWriter.Instance.WriteQuote(buffer, new Instrument(0, "AAPL", 2, 1, "Apple Inc."), 1, 2, new Quote(18921, 300, 18923, 200), snapshot: false);
        var reader = new MessagePackReader(buffer.WrittenSpan);

        Assert.Equal(8, reader.ReadMapHeader());
        var values = new Dictionary<string, object>();
        for (int i = 0; i < 8; i++)
        {
            string key = reader.ReadString();
            values[key] = reader.PeekType() switch
            {
                MessagePackType.Float => reader.ReadDouble(),
                MessagePackType.Integer => reader.ReadInt64(),
                _ => reader.ReadString(),
            };
        }

        Assert.Equal(189.21, values["bid"]);
        Assert.Equal(189.23, values["ask"]);
        Assert.Equal(300L, values["bidSize"]);
        Assert.True(reader.End);
    }

    [Fact]
    public void WriteBook_AllocatesNothing_AfterWarmUp()
    {
        var instrument = new Instrument(0, "AAPL", 2, 1, "Apple Inc.");
        var buffer = new ArrayBufferWriter<byte>(8192);
        BookLevel[] levels = [.. Enumerable.Range(0, 50).Select(i => new BookLevel(18900 + i, 100))];
        MessagePackMessageWriter.Instance.WriteBook(buffer, instrument, 1, 2, levels, levels, snapshot: true, checksum: 5);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            MessagePackMessageWriter.Instance.WriteBook(buffer, instrument, i, 2, levels, levels, snapshot: false, checksum: 5);
            MessagePackMessageWriter.Instance.WriteQuote(buffer, instrument, i, 2, new Quote(1, 2, 3, 4), snapshot: false);
            MessagePackMessageWriter.Instance.WriteTrade(buffer, instrument, i, 2, new Trade(1, 2, TradeSide.Buy), snapshot: false);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
