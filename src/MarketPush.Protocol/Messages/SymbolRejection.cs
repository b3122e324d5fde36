namespace MarketPush.Protocol.Messages;

/// <summary>One entry of <c>subscribed.rejected</c>: the symbol exactly as the client sent it and the reason.</summary>
public readonly record struct SymbolRejection(string Symbol, RejectReason Reason);
