namespace MarketPush.Protocol.Messages;

/// <summary>Which side of an order book a level belongs to.</summary>
public enum BookSide : byte
{
    Bid = 0,
    Ask = 1,
}
