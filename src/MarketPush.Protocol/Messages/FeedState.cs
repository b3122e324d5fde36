namespace MarketPush.Protocol.Messages;

/// <summary>The state a <c>status</c> message announces for a symbol (PROTOCOL.md: <c>open</c>, <c>halted</c>, <c>stale</c>).</summary>
public enum FeedState : byte
{
    Open = 0,
    Halted = 1,
    Stale = 2,
}
