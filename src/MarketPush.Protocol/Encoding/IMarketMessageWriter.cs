using System.Buffers;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings;

/// <summary>
/// Encodes every server-to-client message of PROTOCOL.md for one wire encoding. Implementations:
/// <see cref="Json.JsonMessageWriter.Instance"/> and <see cref="MessagePack.MessagePackMessageWriter.Instance"/>;
/// both emit the same keys in the same order with the same values, so a decoded MessagePack message equals the
/// parsed JSON one. The router encodes each update once per wire variant and shares the bytes with every
/// subscriber of that variant.
/// Every method appends exactly one complete message to <c>output</c> and nothing else. The tick messages
/// (quote, trade, book, status, heartbeat) allocate nothing; the replies to commands may allocate a little.
/// Stateless and thread-safe.
/// Optional <c>id</c> values are omitted from the message when null (the command had no id).
/// </summary>
public interface IMarketMessageWriter
{
    /// <summary><c>quote</c>: symbol, seq, ts, bid, bidSize, ask, askSize, then <c>snapshot: true</c> only for snapshots.</summary>
    void WriteQuote(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Quote quote, bool snapshot);

    /// <summary><c>trade</c>: symbol, seq, ts, price, size, side, then <c>snapshot: true</c> only for the last-trade snapshot.</summary>
    void WriteTrade(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, in Trade trade, bool snapshot);

    /// <summary>
    /// <c>book</c>: symbol, seq, ts, bids, asks (best first; size 0 removes a level in a delta), snapshot (always
    /// present), checksum (CRC-32 of the client's book after applying this message, see <see cref="BookChecksum"/>).
    /// </summary>
    void WriteBook(IBufferWriter<byte> output, Instrument instrument, long sequence, long timestamp, ReadOnlySpan<BookLevel> bids, ReadOnlySpan<BookLevel> asks, bool snapshot, uint checksum);

    /// <summary><c>status</c>: symbol, state, ts.</summary>
    void WriteStatus(IBufferWriter<byte> output, Instrument instrument, FeedState state, long timestamp);

    /// <summary><c>heartbeat</c>: ts.</summary>
    void WriteHeartbeat(IBufferWriter<byte> output, long timestamp);

    /// <summary><c>pong</c>: id, ts.</summary>
    void WritePong(IBufferWriter<byte> output, long? id, long timestamp);

    /// <summary><c>subscribed</c>: id, symbols (accepted), channels, rejected [{symbol, reason}].</summary>
    void WriteSubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels, IReadOnlyList<SymbolRejection> rejected);

    /// <summary><c>unsubscribed</c>: id, symbols, channels.</summary>
    void WriteUnsubscribed(IBufferWriter<byte> output, long? id, IReadOnlyList<string> symbols, MarketChannels channels);

    /// <summary><c>symbols</c>: id, symbols [{symbol, decimals, description}].</summary>
    void WriteSymbols(IBufferWriter<byte> output, long? id, IReadOnlyList<Instrument> instruments);

    /// <summary><c>error</c>: id (only when the command had a valid one), code, message.</summary>
    void WriteError(IBufferWriter<byte> output, long? id, string code, string message);

    /// <summary>
    /// <c>welcome</c>: session, server (e.g. <c>marketpush/1.0.0</c>), heartbeatMs, encoding (<c>json</c> or
    /// <c>msgpack</c>), compression.
    /// </summary>
    void WriteWelcome(IBufferWriter<byte> output, string session, string server, int heartbeatMs, string encoding, bool compression);
}
