using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>The last trade of an instrument with the <c>seq</c> and <c>ts</c> it was published with.</summary>
public readonly record struct SequencedTrade(long Sequence, long Timestamp, Trade Trade);
