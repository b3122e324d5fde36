namespace MarketPush.LoadGen.Measure;

/// <summary>The <c>type</c> of a server message, as far as the runner cares (see <see cref="QuoteScanner.Classify"/>).</summary>
internal enum ServerMessageKind
{
    Other,
    Quote,
    Welcome,
    Subscribed,
    Heartbeat,
    Pong,
    Error,
    Symbols,
}
