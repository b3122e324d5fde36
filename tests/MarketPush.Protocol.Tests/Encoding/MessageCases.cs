using System.Buffers;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Tests.Encodings;

/// <summary>
/// One of every server message, with the values that stress an encoding: prices at 0, 2 and 8 decimals and an
/// integral price, integers at every MessagePack width boundary, strings of every str width, escapes and
/// non-ASCII text, empty and 50-level books. Each case writes itself with any <see cref="IMarketMessageWriter"/>,
/// so the JSON and MessagePack forms of the same message can be compared.
/// </summary>
internal static class MessageCases
{
    private static readonly Instrument s_aapl = new(0, "AAPL", 2, 1, "Apple Inc.");
    private static readonly Instrument s_btc = new(1, "BTC-USD", 2, 1, "Bitcoin / US Dollar");
    private static readonly Instrument s_shib = new(2, "SHIB-USD", 8, 1, "Shiba Inu / US Dollar");
    private static readonly Instrument s_whole = new(3, "IDX", 0, 1, "Index in whole points");
    private static readonly Instrument s_long = new(4, new string('L', 40), 4, 1, new string('d', 300) + " \"quoted\" \\ \n ünïcødé ✓ 😀");

    /// <summary>Sequence numbers and timestamps on both sides of each int width (fixint, uint 8/16/32/64).</summary>
    private static readonly long[] s_integers = [0, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 1763769600123456, long.MaxValue];

    public static IEnumerable<(string Name, Action<IMarketMessageWriter, IBufferWriter<byte>> Write)> All()
    {
        foreach (long n in s_integers)
        {
            yield return ($"quote-{n}", (w, o) => w.WriteQuote(o, s_aapl, n, n, new Quote(18921, n, 18923, 200), snapshot: false));
        }

        yield return ("quote-snapshot", (w, o) => w.WriteQuote(o, s_aapl, 1041, 1763769600123456, new Quote(18921, 300, 18923, 200), snapshot: true));
        yield return ("quote-8-decimals", (w, o) => w.WriteQuote(o, s_shib, 1, 2, new Quote(1234, 10_000_000, 1235, 1), snapshot: false));
        yield return ("quote-integral-price", (w, o) => w.WriteQuote(o, s_btc, 1, 2, new Quote(6_000_000, 1, 6_000_001, 2), snapshot: false));
        yield return ("quote-zero-price", (w, o) => w.WriteQuote(o, s_whole, 0, 0, new Quote(0, 0, 0, 0), snapshot: true));
        yield return ("quote-long-symbol", (w, o) => w.WriteQuote(o, s_long, 1, 2, new Quote(12345678, 1, 12345679, 1), snapshot: false));
        yield return ("trade-buy", (w, o) => w.WriteTrade(o, s_aapl, 377, 1763769600120001, new Trade(18922, 100, TradeSide.Buy), snapshot: false));
        yield return ("trade-sell-snapshot", (w, o) => w.WriteTrade(o, s_shib, 378, 1763769600120002, new Trade(1234, 5_000_000_000, TradeSide.Sell), snapshot: true));
        yield return ("trade-unknown", (w, o) => w.WriteTrade(o, s_whole, 1, 2, new Trade(5, 1, TradeSide.Unknown), snapshot: false));
        yield return ("book-delta", (w, o) => w.WriteBook(o, s_aapl, 5, 6, [new(18921, 300), new(18920, 0)], [new(18923, 200)], snapshot: false, checksum: 4294967295));
        yield return ("book-empty-snapshot", (w, o) => w.WriteBook(o, s_btc, 1, 2, [], [], snapshot: true, checksum: 0));
        yield return ("book-50-levels", (w, o) => w.WriteBook(o, s_shib, 65536, 2, Levels(1234, -1), Levels(1235, 1), snapshot: true, checksum: 2_000_000_000));
        yield return ("status-open", (w, o) => w.WriteStatus(o, s_aapl, FeedState.Open, 1));
        yield return ("status-halted", (w, o) => w.WriteStatus(o, s_long, FeedState.Halted, 1763769600123456));
        yield return ("status-stale", (w, o) => w.WriteStatus(o, s_btc, FeedState.Stale, 300));
        yield return ("heartbeat", (w, o) => w.WriteHeartbeat(o, 1763769600000000));
        yield return ("pong", (w, o) => w.WritePong(o, 7, 8));
        yield return ("pong-max-id", (w, o) => w.WritePong(o, 9007199254740991, 8));
        yield return ("pong-no-id", (w, o) => w.WritePong(o, null, 8));
        yield return ("subscribed", (w, o) => w.WriteSubscribed(o, 1, ["AAPL"], MarketChannels.Quote | MarketChannels.Trade, [new SymbolRejection("ZZZZ", RejectReason.UnknownSymbol)]));
        yield return ("subscribed-many", (w, o) => w.WriteSubscribed(
            o,
            null,
            [.. Enumerable.Range(0, 20).Select(i => $"SYM{i:D4}")],
            MarketChannels.All,
            [new("A\"B", RejectReason.Forbidden), new("x\u0001y", RejectReason.Limit), new(new string('z', 70000), RejectReason.UnknownSymbol)]));
        yield return ("unsubscribed", (w, o) => w.WriteUnsubscribed(o, 2, ["AAPL", "MSFT"], MarketChannels.Book));
        yield return ("unsubscribed-empty", (w, o) => w.WriteUnsubscribed(o, null, [], MarketChannels.None));
        yield return ("symbols", (w, o) => w.WriteSymbols(o, 3, [s_aapl, s_btc, s_shib, s_whole, s_long]));
        yield return ("symbols-many", (w, o) => w.WriteSymbols(o, 4, [.. Enumerable.Range(0, 300).Select(i => new Instrument(i, $"SYM{i:D4}", 2, 1, $"Synthetic instrument {i}"))]));
        yield return ("error", (w, o) => w.WriteError(o, 4, ErrorCodes.BadRequest, "'depth' must be one of 1, 5, 10, 20, 50"));
        yield return ("error-no-id", (w, o) => w.WriteError(o, null, ErrorCodes.UnknownOp, "unknown op 'x\"y' – ✓"));
        yield return ("welcome", (w, o) => w.WriteWelcome(o, "c0ffee", "marketpush/1.0.0", 15000, "msgpack", compression: false));
        yield return ("welcome-compressed", (w, o) => w.WriteWelcome(o, new string('s', 32), "marketpush/1.0.0", 65536, "json", compression: true));
    }

    private static BookLevel[] Levels(long start, long step) =>
        [.. Enumerable.Range(0, 50).Select(i => new BookLevel(start + (step * i * 7), 1_000_000_000L * (i + 1)))];
}
