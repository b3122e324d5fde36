namespace MarketPush.Protocol.Messages;

/// <summary>The aggressor side of a trade, written as <c>buy</c>/<c>sell</c>/<c>unknown</c> (PROTOCOL.md `trade`).</summary>
public enum TradeSide : byte
{
    Unknown = 0,
    Buy = 1,
    Sell = 2,
}
