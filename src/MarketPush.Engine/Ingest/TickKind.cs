namespace MarketPush.Engine.Ingest;

/// <summary>What a <see cref="Tick"/> carries.</summary>
public enum TickKind : byte
{
    Quote = 0,
    Trade = 1,

    /// <summary>One level change of an L2 book; a run of them ending with <see cref="Tick.EndsBookUpdate"/> is one book update.</summary>
    BookLevel = 2,

    Status = 3,
}
