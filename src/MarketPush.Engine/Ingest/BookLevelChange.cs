using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Ingest;

/// <summary>One level's new state within a book update: size 0 removes the price level, anything else sets it.</summary>
public readonly record struct BookLevelChange(BookSide Side, long Price, long Size);
