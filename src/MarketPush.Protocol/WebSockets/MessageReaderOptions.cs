namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// Limits and role of one <see cref="MessageReader"/>. Built once at startup from the server options (or by a test
/// or the load generator's client) and shared read-only by every connection's reader.
/// </summary>
public sealed class MessageReaderOptions
{
    /// <summary>
    /// Largest message accepted, in bytes after decompression (PROTOCOL.md: default 16 KiB, 1009 past it). The reader
    /// checks it against each frame header's length before growing any buffer, so a peer cannot make the server
    /// allocate more than this per connection by announcing a huge frame.
    /// </summary>
    public int MaxMessageBytes { get; init; } = 16 * 1024;

    /// <summary>
    /// Server side (true): client frames must be masked (RFC 6455 §5.1), an unmasked one is a 1002 violation.
    /// Client side (false): server frames must not be masked, a masked one is a 1002 violation.
    /// </summary>
    public bool ExpectMaskedFrames { get; init; } = true;
}
