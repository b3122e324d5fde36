using System.Buffers;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>
/// Writes server messages as MessagePack maps (subprotocol <c>marketpush.v1.msgpack</c>) with exactly the keys,
/// key order and values of <see cref="Json.JsonMessageWriter"/>: integers in their shortest int format, prices as
/// float64 holding the double nearest the decimal value (<see cref="PriceFormatter.ToDouble"/>), so
/// <c>unpackb(msgpack) == json.loads(json)</c> for every message. A map's entry count is part of its header, so
/// optional fields (<c>id</c>, <c>snapshot</c>) are counted before writing.
/// Called by the router (once per update and wire variant) and by command handlers; stateless and thread-safe;
/// encoding a tick allocates nothing.
/// </summary>
public sealed class MessagePackMessageWriter : IMarketMessageWriter
{
    public static readonly MessagePackMessageWriter Instance = new();

    /// <summary>One level at most: fixarray header, float64, int64.</summary>
    private const int MaxLevelLength = 1 + 9 + 9;

    private MessagePackMessageWriter()
    {
    }

    public void WriteQuote(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Quote quote, bool snapshot)
    {
        var w = new MessagePackWriter(output, 128 + instrument.MessagePackSymbol.Length);
        w.WriteMapHeader(snapshot ? 9 : 8);
        WriteHeader(ref w, "quote"u8, instrument, sequence, timestamp);
        w.WriteString("bid"u8);
        w.WriteDouble(PriceFormatter.ToDouble(quote.BidPrice, instrument.Decimals));
        w.WriteString("bidSize"u8);
        w.WriteInt64(quote.BidSize);
        w.WriteString("ask"u8);
        w.WriteDouble(PriceFormatter.ToDouble(quote.AskPrice, instrument.Decimals));
        w.WriteString("askSize"u8);
        w.WriteInt64(quote.AskSize);
        if (snapshot)
        {
            w.WriteString("snapshot"u8);
            w.WriteBoolean(true);
        }

        w.Flush();
    }

    public void WriteTrade(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Trade trade, bool snapshot)
    {
        var w = new MessagePackWriter(output, 112 + instrument.MessagePackSymbol.Length);
        w.WriteMapHeader(snapshot ? 8 : 7);
        WriteHeader(ref w, "trade"u8, instrument, sequence, timestamp);
        w.WriteString("price"u8);
        w.WriteDouble(PriceFormatter.ToDouble(trade.Price, instrument.Decimals));
        w.WriteString("size"u8);
        w.WriteInt64(trade.Size);
        w.WriteString("side"u8);
        w.WriteString(WireNames.Side(trade.Side));
        if (snapshot)
        {
            w.WriteString("snapshot"u8);
            w.WriteBoolean(true);
        }

        w.Flush();
    }

    public void WriteBook(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, bool snapshot, uint checksum)
    {
        var w = new MessagePackWriter(output, 128 + instrument.MessagePackSymbol.Length + ((bids.Length + asks.Length) * MaxLevelLength));
        w.WriteMapHeader(8);
        WriteHeader(ref w, "book"u8, instrument, sequence, timestamp);
        w.WriteString("bids"u8);
        WriteLevels(ref w, bids, instrument.Decimals);
        w.WriteString("asks"u8);
        WriteLevels(ref w, asks, instrument.Decimals);
        w.WriteString("snapshot"u8);
        w.WriteBoolean(snapshot);
        w.WriteString("checksum"u8);
        w.WriteUInt64(checksum);
        w.Flush();
    }

    public void WriteStatus(IBufferWriter<byte> output, Instrument instrument, FeedState state, long timestamp)
    {
        var w = new MessagePackWriter(output, 64 + instrument.MessagePackSymbol.Length);
        w.WriteMapHeader(4);
        w.WriteString("type"u8);
        w.WriteString("status"u8);
        w.WriteString("symbol"u8);
        w.WriteRaw(instrument.MessagePackSymbol);
        w.WriteString("state"u8);
        w.WriteString(WireNames.State(state));
        w.WriteString("ts"u8);
        w.WriteInt64(timestamp);
        w.Flush();
    }

    public void WriteHeartbeat(IBufferWriter<byte> output, long timestamp)
    {
        var w = new MessagePackWriter(output, 32);
        w.WriteMapHeader(2);
        w.WriteString("type"u8);
        w.WriteString("heartbeat"u8);
        w.WriteString("ts"u8);
        w.WriteInt64(timestamp);
        w.Flush();
    }

    public void WritePong(IBufferWriter<byte> output, long? id, long timestamp)
    {
        var w = new MessagePackWriter(output, 40);
        w.WriteMapHeader(id.HasValue ? 3 : 2);
        w.WriteString("type"u8);
        w.WriteString("pong"u8);
        WriteId(ref w, id);
        w.WriteString("ts"u8);
        w.WriteInt64(timestamp);
        w.Flush();
    }

    public void WriteSubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels, IReadOnlyList<SymbolRejection> rejected)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(rejected);
        var w = new MessagePackWriter(output, 96 + (symbols.Count * 16) + (rejected.Count * 40));
        w.WriteMapHeader(id.HasValue ? 5 : 4);
        w.WriteString("type"u8);
        w.WriteString("subscribed"u8);
        WriteId(ref w, id);
        w.WriteString("symbols"u8);
        WriteStrings(ref w, symbols);
        w.WriteString("channels"u8);
        WriteChannels(ref w, channels);
        w.WriteString("rejected"u8);
        w.WriteArrayHeader(rejected.Count);
        for (int i = 0; i < rejected.Count; i++)
        {
            w.WriteMapHeader(2);
            w.WriteString("symbol"u8);
            w.WriteString(rejected[i].Symbol);
            w.WriteString("reason"u8);
            w.WriteString(WireNames.Reason(rejected[i].Reason));
        }

        w.Flush();
    }

    public void WriteUnsubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var w = new MessagePackWriter(output, 64 + (symbols.Count * 16));
        w.WriteMapHeader(id.HasValue ? 4 : 3);
        w.WriteString("type"u8);
        w.WriteString("unsubscribed"u8);
        WriteId(ref w, id);
        w.WriteString("symbols"u8);
        WriteStrings(ref w, symbols);
        w.WriteString("channels"u8);
        WriteChannels(ref w, channels);
        w.Flush();
    }

    public void WriteSymbols(IBufferWriter<byte> output, long? id, IReadOnlyList<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        var w = new MessagePackWriter(output, 32 + (instruments.Count * 80));
        w.WriteMapHeader(id.HasValue ? 3 : 2);
        w.WriteString("type"u8);
        w.WriteString("symbols"u8);
        WriteId(ref w, id);
        w.WriteString("symbols"u8);
        w.WriteArrayHeader(instruments.Count);
        for (int i = 0; i < instruments.Count; i++)
        {
            Instrument instrument = instruments[i];
            w.WriteMapHeader(3);
            w.WriteString("symbol"u8);
            w.WriteRaw(instrument.MessagePackSymbol);
            w.WriteString("decimals"u8);
            w.WriteInt64(instrument.Decimals);
            w.WriteString("description"u8);
            w.WriteString(instrument.Description);
        }

        w.Flush();
    }

    public void WriteError(IBufferWriter<byte> output, long? id, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(message);
        var w = new MessagePackWriter(output, 48 + code.Length + (message.Length * 3));
        w.WriteMapHeader(id.HasValue ? 4 : 3);
        w.WriteString("type"u8);
        w.WriteString("error"u8);
        WriteId(ref w, id);
        w.WriteString("code"u8);
        w.WriteString(code);
        w.WriteString("message"u8);
        w.WriteString(message);
        w.Flush();
    }

    public void WriteWelcome(IBufferWriter<byte> output, string session, string server, int heartbeatMs, string encoding, bool compression)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(encoding);
        var w = new MessagePackWriter(output, 96 + session.Length + server.Length + encoding.Length);
        w.WriteMapHeader(6);
        w.WriteString("type"u8);
        w.WriteString("welcome"u8);
        w.WriteString("session"u8);
        w.WriteString(session);
        w.WriteString("server"u8);
        w.WriteString(server);
        w.WriteString("heartbeatMs"u8);
        w.WriteInt64(heartbeatMs);
        w.WriteString("encoding"u8);
        w.WriteString(encoding);
        w.WriteString("compression"u8);
        w.WriteBoolean(compression);
        w.Flush();
    }

    /// <summary>Writes the type, symbol, seq and ts entries that open every tick message.</summary>
    private static void WriteHeader(ref MessagePackWriter w, ReadOnlySpan<byte> type, Instrument instrument, long sequence, long timestamp)
    {
        w.WriteString("type"u8);
        w.WriteString(type);
        w.WriteString("symbol"u8);
        w.WriteRaw(instrument.MessagePackSymbol);
        w.WriteString("seq"u8);
        w.WriteInt64(sequence);
        w.WriteString("ts"u8);
        w.WriteInt64(timestamp);
    }

    private static void WriteLevels(ref MessagePackWriter w, ReadOnlySpan<BookLevel> levels, int decimals)
    {
        w.WriteArrayHeader(levels.Length);
        foreach (BookLevel level in levels)
        {
            w.WriteArrayHeader(2);
            w.WriteDouble(PriceFormatter.ToDouble(level.Price, decimals));
            w.WriteInt64(level.Size);
        }
    }

    private static void WriteId(ref MessagePackWriter w, long? id)
    {
        if (id is long value)
        {
            w.WriteString("id"u8);
            w.WriteInt64(value);
        }
    }

    private static void WriteStrings(ref MessagePackWriter w, IReadOnlyList<string> values)
    {
        w.WriteArrayHeader(values.Count);
        for (int i = 0; i < values.Count; i++)
        {
            w.WriteString(values[i]);
        }
    }

    private static void WriteChannels(ref MessagePackWriter w, MarketChannels channels)
    {
        w.WriteArrayHeader(WireNames.CountChannels(channels));
        for (var channel = MarketChannel.Quote; channel <= MarketChannel.Book; channel++)
        {
            if (WireNames.Contains(channels, channel))
            {
                w.WriteString(WireNames.Channel(channel));
            }
        }
    }
}
