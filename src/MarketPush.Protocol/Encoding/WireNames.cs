using MarketPush.Protocol.Messages;

namespace MarketPush.Protocol.Encodings;

/// <summary>The protocol's enum spellings as UTF-8, shared by both writers so JSON and MessagePack cannot disagree.</summary>
internal static class WireNames
{
    public static ReadOnlySpan<byte> Side(TradeSide side) => side switch
    {
        TradeSide.Buy => "buy"u8,
        TradeSide.Sell => "sell"u8,
        _ => "unknown"u8,
    };

    public static ReadOnlySpan<byte> State(FeedState state) => state switch
    {
        FeedState.Open => "open"u8,
        FeedState.Halted => "halted"u8,
        _ => "stale"u8,
    };

    public static ReadOnlySpan<byte> Reason(RejectReason reason) => reason switch
    {
        RejectReason.UnknownSymbol => "unknown_symbol"u8,
        RejectReason.Forbidden => "forbidden"u8,
        _ => "limit"u8,
    };

    public static ReadOnlySpan<byte> Channel(MarketChannel channel) => channel switch
    {
        MarketChannel.Quote => "quote"u8,
        MarketChannel.Trade => "trade"u8,
        _ => "book"u8,
    };

    /// <summary>Channels of a set in canonical order (quote, trade, book).</summary>
    public static int CountChannels(MarketChannels channels) => System.Numerics.BitOperations.PopCount((uint)(channels & MarketChannels.All));

    public static bool Contains(MarketChannels channels, MarketChannel channel) => ((int)channels & (1 << (int)channel)) != 0;
}
