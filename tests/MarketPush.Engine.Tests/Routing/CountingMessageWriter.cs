using System.Buffers;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>Delegates to a real writer and counts each tick message it encodes, so tests can prove "encode once per variant".</summary>
internal sealed class CountingMessageWriter(IMarketMessageWriter inner) : IMarketMessageWriter
{
    public int Quotes { get; private set; }

    public int Trades { get; private set; }

    public int Books { get; private set; }

    public int Statuses { get; private set; }

    public int Total => Quotes + Trades + Books + Statuses;

    public void WriteQuote(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Quote quote, bool snapshot)
    {
        Quotes++;
        inner.WriteQuote(output, instrument, sequence, timestamp, quote, snapshot);
    }

    public void WriteTrade(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Trade trade, bool snapshot)
    {
        Trades++;
        inner.WriteTrade(output, instrument, sequence, timestamp, trade, snapshot);
    }

    public void WriteBook(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, bool snapshot, uint checksum)
    {
        Books++;
        inner.WriteBook(output, instrument, sequence, timestamp, bids, asks, snapshot, checksum);
    }

    public void WriteStatus(IBufferWriter<byte> output, Instrument instrument, FeedState state, long timestamp)
    {
        Statuses++;
        inner.WriteStatus(output, instrument, state, timestamp);
    }

    public void WriteHeartbeat(IBufferWriter<byte> output, long timestamp) => inner.WriteHeartbeat(output, timestamp);

    public void WritePong(IBufferWriter<byte> output, long? id, long timestamp) => inner.WritePong(output, id, timestamp);

    public void WriteSubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels, IReadOnlyList<SymbolRejection> rejected) =>
        inner.WriteSubscribed(output, id, symbols, channels, rejected);

    public void WriteUnsubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels) =>
        inner.WriteUnsubscribed(output, id, symbols, channels);

    public void WriteSymbols(IBufferWriter<byte> output, long? id, IReadOnlyList<Instrument> instruments) => inner.WriteSymbols(output, id, instruments);

    public void WriteError(IBufferWriter<byte> output, long? id, string code, string message) => inner.WriteError(output, id, code, message);

    public void WriteWelcome(IBufferWriter<byte> output, string session, string server, int heartbeatMs, string encoding, bool compression) =>
        inner.WriteWelcome(output, session, server, heartbeatMs, encoding, compression);

    public void Reset()
    {
        Quotes = 0;
        Trades = 0;
        Books = 0;
        Statuses = 0;
    }
}
