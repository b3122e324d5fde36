namespace MarketPush.Protocol.Encodings.MessagePack;

/// <summary>
/// Malformed MessagePack, or a value of the wrong type where the reader expected another. The message names what
/// was expected, what was found and at which byte offset, so it can go back to the client in an <c>error</c> reply.
/// </summary>
public sealed class MessagePackReaderException : FormatException
{
    public MessagePackReaderException()
    {
    }

    public MessagePackReaderException(string message)
        : base(message)
    {
    }

    public MessagePackReaderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
