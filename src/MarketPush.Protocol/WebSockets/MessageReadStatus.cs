namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// What one <see cref="MessageReader.Read"/> call produced. Every outcome of peer input is one of these values; the
/// reader never throws on bad bytes.
/// </summary>
public enum MessageReadStatus
{
    /// <summary>All buffered bytes were consumed (possibly part of a frame); read more from the socket.</summary>
    NeedMoreData,

    /// <summary>A complete Text or Binary message is in <see cref="MessageReader.Payload"/>.</summary>
    Message,

    /// <summary>A ping; answer with a pong carrying <see cref="MessageReader.Payload"/>.</summary>
    Ping,

    /// <summary>A pong; <see cref="MessageReader.Payload"/> holds its payload.</summary>
    Pong,

    /// <summary>
    /// The peer closed: <see cref="MessageReader.CloseCode"/> and reason in <see cref="MessageReader.Payload"/>.
    /// Terminal: later reads return Close again without consuming anything.
    /// </summary>
    Close,

    /// <summary>
    /// The peer broke the protocol: close with <see cref="MessageReader.CloseCode"/> and
    /// <see cref="MessageReader.ViolationReason"/>. Terminal, like <see cref="Close"/>.
    /// </summary>
    ProtocolViolation,
}
