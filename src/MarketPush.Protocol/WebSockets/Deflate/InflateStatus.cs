namespace MarketPush.Protocol.WebSockets.Deflate;

/// <summary>
/// Outcome of <see cref="MessageInflater.Inflate"/> for one compressed client message. The receive loop maps
/// <see cref="TooLarge"/> to close code 1009 and <see cref="InvalidData"/> to 1007 (PROTOCOL.md).
/// </summary>
public enum InflateStatus
{
    /// <summary>The whole message was inflated into the output span.</summary>
    Done,

    /// <summary>The inflated message would be longer than the output span (the cap); inflation stopped at the cap.</summary>
    TooLarge,

    /// <summary>The payload is not valid DEFLATE data, or it refers to a previous message's window.</summary>
    InvalidData,
}
