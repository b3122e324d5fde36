namespace MarketPush.Engine.Feeds.Configuration;

/// <summary>The kinds of feed a <c>Feeds</c> entry (or <c>--feed</c>) can name.</summary>
public enum FeedKind
{
    /// <summary><c>synthetic</c>: the embedded market generator.</summary>
    Synthetic = 0,

    /// <summary><c>replay</c>: a capture file played back.</summary>
    Replay = 1,

    /// <summary><c>exchange</c> (alias <c>coinbase</c>): a Coinbase-Exchange-style upstream WebSocket.</summary>
    Exchange = 2,
}
