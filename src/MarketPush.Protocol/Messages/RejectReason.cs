namespace MarketPush.Protocol.Messages;

/// <summary>Why a symbol of a <c>subscribe</c> was not accepted (PROTOCOL.md `subscribed.rejected[].reason`).</summary>
public enum RejectReason : byte
{
    UnknownSymbol = 0,
    Forbidden = 1,
    Limit = 2,
}
