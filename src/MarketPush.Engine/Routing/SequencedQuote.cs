using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Routing;

/// <summary>The last quote of an instrument with the <c>seq</c> and <c>ts</c> it was published with.</summary>
public readonly record struct SequencedQuote(long Sequence, long Timestamp, Quote Quote);
