namespace MarketPush.Engine.Feeds;

/// <summary>What a supervised feed's ingest channel does when it is full.</summary>
public enum FeedOverflowMode
{
    /// <summary>The feed waits for room: nothing is lost (replays, and generators that can slow down).</summary>
    Wait = 0,

    /// <summary>
    /// The oldest queued tick is dropped and counted, so a live connection is never stalled behind a slow ingest
    /// (its socket would back up and the venue would disconnect us). Book levels and quotes a drop takes away are
    /// re-sent with their newest value once the channel has room, so books stay exact; trades are lost (counted).
    /// </summary>
    DropOldest = 1,
}
