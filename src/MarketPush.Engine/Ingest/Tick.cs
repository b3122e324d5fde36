using System.Diagnostics;
using System.Runtime.InteropServices;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>
/// One market event as a feed adapter hands it to ingest through its <see cref="IngestChannel"/>; defined here, by
/// the stage that reads it, so that feeds depend on ingest and not the other way round. A 48-byte
/// readonly struct, so writing it into the channel copies it and allocates nothing.
/// Book updates travel as runs of <see cref="TickKind.BookLevel"/> ticks, one level change each (side, price,
/// size; size 0 removes), the last one flagged <see cref="EndsBookUpdate"/>; ingest applies the run atomically
/// and publishes it as one <c>book</c> message. This keeps every tick the same small size instead of carrying an
/// array per update (which would allocate or need a pool with an ownership hand-off across the channel). A feed
/// writes each run contiguously for one instrument; if ticks of another instrument interrupt a run, ingest
/// publishes the part it has, which is still a correct book, just split in two updates.
/// Payload fields are shared between kinds; read only the accessors of <see cref="Kind"/>.
/// </summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct Tick
{
    private const byte EndsBookUpdateFlag = 0x80;

    private readonly long _a;
    private readonly long _b;
    private readonly long _c;
    private readonly long _d;
    private readonly byte _detail; // TradeSide, FeedState or BookSide, plus EndsBookUpdateFlag

    private Tick(TickKind kind, int instrumentId, long timestamp, long a, long b, long c, long d, byte detail)
    {
        Kind = kind;
        InstrumentId = instrumentId;
        Timestamp = timestamp;
        _a = a;
        _b = b;
        _c = c;
        _d = d;
        _detail = detail;
    }

    public TickKind Kind { get; }

    /// <summary><see cref="Instrument.Id"/> in the catalog the feed and ingest share.</summary>
    public int InstrumentId { get; }

    /// <summary>When the feed produced the event, µs since the Unix epoch (becomes <c>ts</c> on the wire).</summary>
    public long Timestamp { get; }

    public Quote Quote
    {
        get
        {
            Debug.Assert(Kind == TickKind.Quote);
            return new Quote(_a, _b, _c, _d);
        }
    }

    public Trade Trade
    {
        get
        {
            Debug.Assert(Kind == TickKind.Trade);
            return new Trade(_a, _b, (TradeSide)_detail);
        }
    }

    public BookSide BookSide
    {
        get
        {
            Debug.Assert(Kind == TickKind.BookLevel);
            return (BookSide)(_detail & ~EndsBookUpdateFlag);
        }
    }

    /// <summary>The level's new state: size 0 removes the price level.</summary>
    public BookLevel Level
    {
        get
        {
            Debug.Assert(Kind == TickKind.BookLevel);
            return new BookLevel(_a, _b);
        }
    }

    /// <summary>True on the last level change of a book update.</summary>
    public bool EndsBookUpdate => Kind == TickKind.BookLevel && (_detail & EndsBookUpdateFlag) != 0;

    public FeedState State
    {
        get
        {
            Debug.Assert(Kind == TickKind.Status);
            return (FeedState)_detail;
        }
    }

    public static Tick ForQuote(int instrumentId, long timestamp, in Quote quote) =>
        new(TickKind.Quote, instrumentId, timestamp, quote.BidPrice, quote.BidSize, quote.AskPrice, quote.AskSize, 0);

    public static Tick ForTrade(int instrumentId, long timestamp, in Trade trade) =>
        new(TickKind.Trade, instrumentId, timestamp, trade.Price, trade.Size, 0, 0, (byte)trade.Side);

    public static Tick ForBookLevel(int instrumentId, long timestamp, BookSide side, long price, long size, bool endsBookUpdate) =>
        new(TickKind.BookLevel, instrumentId, timestamp, price, size, 0, 0, (byte)((byte)side | (endsBookUpdate ? EndsBookUpdateFlag : 0)));

    public static Tick ForStatus(int instrumentId, long timestamp, FeedState state) =>
        new(TickKind.Status, instrumentId, timestamp, 0, 0, 0, 0, (byte)state);

    /// <summary>The same tick with another timestamp (tests compare feeds run at different times).</summary>
    public Tick WithTimestamp(long timestamp) => new(Kind, InstrumentId, timestamp, _a, _b, _c, _d, _detail);

    public override string ToString() => Kind switch
    {
        TickKind.Quote => $"quote #{InstrumentId} @{Timestamp} {Quote}",
        TickKind.Trade => $"trade #{InstrumentId} @{Timestamp} {Trade}",
        TickKind.BookLevel => $"level #{InstrumentId} @{Timestamp} {BookSide} {Level}{(EndsBookUpdate ? " end" : "")}",
        _ => $"status #{InstrumentId} @{Timestamp} {State}",
    };
}
