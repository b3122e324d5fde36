namespace MarketPush.Engine.Routing;

/// <summary>
/// What <see cref="ILastValues.TryGetBook"/> copied: the book's <c>seq</c> and <c>ts</c> at the copy, how many
/// levels went into each span, and the checksum of exactly those levels.
/// </summary>
public readonly record struct BookSnapshot(long Sequence, long Timestamp, int BidCount, int AskCount, uint Checksum);
