using System.Buffers;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings.Json;

/// <summary>
/// Writes server messages as compact UTF-8 JSON (subprotocol <c>marketpush.v1.json</c>), fields in the order of
/// PROTOCOL.md. Fixed fragments are UTF-8 literals, the symbol is copied pre-escaped from the
/// <see cref="Instrument"/>, numbers are formatted straight into the output: encoding a tick allocates nothing.
/// Called by the router (once per update and wire variant) and by command handlers; stateless and thread-safe.
/// </summary>
public sealed class JsonMessageWriter : IMarketMessageWriter
{
    public static readonly JsonMessageWriter Instance = new();

    /// <summary>Bytes of one <c>[price,size],</c> entry at most: brackets, comma, price, size, separator.</summary>
    private const int MaxLevelLength = PriceFormatter.MaxLength + 20 + 4;

    private JsonMessageWriter()
    {
    }

    public void WriteQuote(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Quote quote, bool snapshot)
    {
        var o = new BufferOutput(output, 192 + instrument.JsonSymbol.Length);
        o.Write("{\"type\":\"quote\",\"symbol\":"u8);
        WriteHeader(ref o, instrument, sequence, timestamp);
        o.Write(",\"bid\":"u8);
        JsonText.WritePrice(ref o, quote.BidPrice, instrument.Decimals);
        o.Write(",\"bidSize\":"u8);
        JsonText.WriteInt64(ref o, quote.BidSize);
        o.Write(",\"ask\":"u8);
        JsonText.WritePrice(ref o, quote.AskPrice, instrument.Decimals);
        o.Write(",\"askSize\":"u8);
        JsonText.WriteInt64(ref o, quote.AskSize);
        o.Write(snapshot ? ",\"snapshot\":true}"u8 : "}"u8);
        o.Complete();
    }

    public void WriteTrade(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Trade trade, bool snapshot)
    {
        var o = new BufferOutput(output, 160 + instrument.JsonSymbol.Length);
        o.Write("{\"type\":\"trade\",\"symbol\":"u8);
        WriteHeader(ref o, instrument, sequence, timestamp);
        o.Write(",\"price\":"u8);
        JsonText.WritePrice(ref o, trade.Price, instrument.Decimals);
        o.Write(",\"size\":"u8);
        JsonText.WriteInt64(ref o, trade.Size);
        o.Write(",\"side\":\""u8);
        o.Write(WireNames.Side(trade.Side));
        o.Write(snapshot ? "\",\"snapshot\":true}"u8 : "\"}"u8);
        o.Complete();
    }

    public void WriteBook(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, bool snapshot, uint checksum)
    {
        var o = new BufferOutput(output, 160 + instrument.JsonSymbol.Length + ((bids.Length + asks.Length) * MaxLevelLength));
        o.Write("{\"type\":\"book\",\"symbol\":"u8);
        WriteHeader(ref o, instrument, sequence, timestamp);
        o.Write(",\"bids\":"u8);
        WriteLevels(ref o, bids, instrument.Decimals);
        o.Write(",\"asks\":"u8);
        WriteLevels(ref o, asks, instrument.Decimals);
        o.Write(snapshot ? ",\"snapshot\":true,\"checksum\":"u8 : ",\"snapshot\":false,\"checksum\":"u8);
        JsonText.WriteInt64(ref o, checksum);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WriteStatus(IBufferWriter<byte> output, Instrument instrument, FeedState state, long timestamp)
    {
        var o = new BufferOutput(output, 96 + instrument.JsonSymbol.Length);
        o.Write("{\"type\":\"status\",\"symbol\":"u8);
        o.Write(instrument.JsonSymbol);
        o.Write(",\"state\":\""u8);
        o.Write(WireNames.State(state));
        o.Write("\",\"ts\":"u8);
        JsonText.WriteInt64(ref o, timestamp);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WriteHeartbeat(IBufferWriter<byte> output, long timestamp)
    {
        var o = new BufferOutput(output, 64);
        o.Write("{\"type\":\"heartbeat\",\"ts\":"u8);
        JsonText.WriteInt64(ref o, timestamp);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WritePong(IBufferWriter<byte> output, long? id, long timestamp)
    {
        var o = new BufferOutput(output, 80);
        o.Write("{\"type\":\"pong\""u8);
        WriteId(ref o, id);
        o.Write(",\"ts\":"u8);
        JsonText.WriteInt64(ref o, timestamp);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WriteSubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels, IReadOnlyList<SymbolRejection> rejected)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(rejected);
        var o = new BufferOutput(output, 128 + (symbols.Count * 16) + (rejected.Count * 48));
        o.Write("{\"type\":\"subscribed\""u8);
        WriteId(ref o, id);
        o.Write(",\"symbols\":"u8);
        WriteStrings(ref o, symbols);
        o.Write(",\"channels\":"u8);
        WriteChannels(ref o, channels);
        o.Write(",\"rejected\":["u8);
        for (int i = 0; i < rejected.Count; i++)
        {
            o.Write(i == 0 ? "{\"symbol\":"u8 : ",{\"symbol\":"u8);
            JsonText.WriteString(ref o, rejected[i].Symbol);
            o.Write(",\"reason\":\""u8);
            o.Write(WireNames.Reason(rejected[i].Reason));
            o.Write("\"}"u8);
        }

        o.Write("]}"u8);
        o.Complete();
    }

    public void WriteUnsubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels)
    {
        ArgumentNullException.ThrowIfNull(symbols);
        var o = new BufferOutput(output, 96 + (symbols.Count * 16));
        o.Write("{\"type\":\"unsubscribed\""u8);
        WriteId(ref o, id);
        o.Write(",\"symbols\":"u8);
        WriteStrings(ref o, symbols);
        o.Write(",\"channels\":"u8);
        WriteChannels(ref o, channels);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WriteSymbols(IBufferWriter<byte> output, long? id, IReadOnlyList<Instrument> instruments)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        var o = new BufferOutput(output, 64 + (instruments.Count * 96));
        o.Write("{\"type\":\"symbols\""u8);
        WriteId(ref o, id);
        o.Write(",\"symbols\":["u8);
        for (int i = 0; i < instruments.Count; i++)
        {
            Instrument instrument = instruments[i];
            o.Write(i == 0 ? "{\"symbol\":"u8 : ",{\"symbol\":"u8);
            o.Write(instrument.JsonSymbol);
            o.Write(",\"decimals\":"u8);
            JsonText.WriteInt64(ref o, instrument.Decimals);
            o.Write(",\"description\":"u8);
            JsonText.WriteString(ref o, instrument.Description);
            o.WriteByte((byte)'}');
        }

        o.Write("]}"u8);
        o.Complete();
    }

    public void WriteError(IBufferWriter<byte> output, long? id, string code, string message)
    {
        ArgumentNullException.ThrowIfNull(code);
        ArgumentNullException.ThrowIfNull(message);
        var o = new BufferOutput(output, 64 + code.Length + (message.Length * 3));
        o.Write("{\"type\":\"error\""u8);
        WriteId(ref o, id);
        o.Write(",\"code\":"u8);
        JsonText.WriteString(ref o, code);
        o.Write(",\"message\":"u8);
        JsonText.WriteString(ref o, message);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    public void WriteWelcome(IBufferWriter<byte> output, string session, string server, int heartbeatMs, string encoding, bool compression)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(encoding);
        var o = new BufferOutput(output, 128 + session.Length + server.Length + encoding.Length);
        o.Write("{\"type\":\"welcome\",\"session\":"u8);
        JsonText.WriteString(ref o, session);
        o.Write(",\"server\":"u8);
        JsonText.WriteString(ref o, server);
        o.Write(",\"heartbeatMs\":"u8);
        JsonText.WriteInt64(ref o, heartbeatMs);
        o.Write(",\"encoding\":"u8);
        JsonText.WriteString(ref o, encoding);
        o.Write(",\"compression\":"u8);
        JsonText.WriteBoolean(ref o, compression);
        o.WriteByte((byte)'}');
        o.Complete();
    }

    /// <summary>Writes <c>SYMBOL,"seq":n,"ts":n</c>; the caller has written <c>"symbol":</c>.</summary>
    private static void WriteHeader(ref BufferOutput o, Instrument instrument, long sequence, long timestamp)
    {
        o.Write(instrument.JsonSymbol);
        o.Write(",\"seq\":"u8);
        JsonText.WriteInt64(ref o, sequence);
        o.Write(",\"ts\":"u8);
        JsonText.WriteInt64(ref o, timestamp);
    }

    private static void WriteLevels(ref BufferOutput o, ReadOnlySpan<BookLevel> levels, int decimals)
    {
        o.WriteByte((byte)'[');
        for (int i = 0; i < levels.Length; i++)
        {
            o.Write(i == 0 ? "["u8 : ",["u8);
            JsonText.WritePrice(ref o, levels[i].Price, decimals);
            o.WriteByte((byte)',');
            JsonText.WriteInt64(ref o, levels[i].Size);
            o.WriteByte((byte)']');
        }

        o.WriteByte((byte)']');
    }

    private static void WriteId(ref BufferOutput o, long? id)
    {
        if (id is long value)
        {
            o.Write(",\"id\":"u8);
            JsonText.WriteInt64(ref o, value);
        }
    }

    private static void WriteStrings(ref BufferOutput o, IReadOnlyList<string> values)
    {
        o.WriteByte((byte)'[');
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                o.WriteByte((byte)',');
            }

            JsonText.WriteString(ref o, values[i]);
        }

        o.WriteByte((byte)']');
    }

    private static void WriteChannels(ref BufferOutput o, MarketChannels channels)
    {
        o.WriteByte((byte)'[');
        bool first = true;
        for (var channel = MarketChannel.Quote; channel <= MarketChannel.Book; channel++)
        {
            if (!WireNames.Contains(channels, channel))
            {
                continue;
            }

            o.Write(first ? "\""u8 : ",\""u8);
            o.Write(WireNames.Channel(channel));
            o.WriteByte((byte)'"');
            first = false;
        }

        o.WriteByte((byte)']');
    }
}
