using MarketPush.Protocol.WebSockets;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Engine.Transport;

/// <summary>
/// Frame readers for connections that are between messages. A connection's receive loop rents one when bytes
/// arrive and returns it once everything it read was consumed at a message boundary (Connection.Receive.cs), so an
/// idle connection, even one that subscribed or answers pings, holds no reader (~230 bytes each, measured in
/// loadtests/results/idle-memory.md). Any receive loop rents and returns (thread-safe); one per
/// <see cref="StreamServer"/>, which owns the shared inflater the deflate readers borrow.
/// </summary>
/// <remarks>
/// A reader is only returned clean: no frame or fragmented message in progress, not terminal, its message buffer
/// already given back by the Read that followed the last message (MessageReader documents that). Such a reader is
/// indistinguishable from a new one, since every message start resets its per-message state. Two stacks, because a
/// reader is bound to its inflater (or none) for life; each is capped, and readers past the cap are left to the GC.
/// </remarks>
internal sealed class MessageReaderPool
{
    // Readers are out only while a read is being dispatched, so the number in use is about the number of receive
    // loops running at once (a few per core), not the number of connections.
    private const int MaxRetainedPerKind = 128;

    private readonly MessageReaderOptions _options;
    private readonly MessageInflater _inflater;
    private readonly Lock _lock = new();
    private readonly MessageReader[] _plain = new MessageReader[MaxRetainedPerKind];
    private readonly MessageReader[] _deflate = new MessageReader[MaxRetainedPerKind];
    private int _plainCount;
    private int _deflateCount;

    public MessageReaderPool(MessageReaderOptions options, MessageInflater inflater)
    {
        _options = options;
        _inflater = inflater;
    }

    /// <summary>A reader for a connection that negotiated permessage-deflate (<paramref name="deflate"/>) or not.</summary>
    public MessageReader Rent(bool deflate)
    {
        lock (_lock)
        {
            if (deflate && _deflateCount > 0)
            {
                MessageReader reader = _deflate[--_deflateCount];
                _deflate[_deflateCount] = null!;
                return reader;
            }

            if (!deflate && _plainCount > 0)
            {
                MessageReader reader = _plain[--_plainCount];
                _plain[_plainCount] = null!;
                return reader;
            }
        }

        return new MessageReader(_options, deflate ? _inflater : null);
    }

    /// <summary>Takes back a clean reader rented with the same <paramref name="deflate"/> (see the remarks).</summary>
    public void Return(MessageReader reader, bool deflate)
    {
        lock (_lock)
        {
            if (deflate && _deflateCount < MaxRetainedPerKind)
            {
                _deflate[_deflateCount++] = reader;
                return;
            }

            if (!deflate && _plainCount < MaxRetainedPerKind)
            {
                _plain[_plainCount++] = reader;
                return;
            }
        }

        reader.Dispose();
    }
}
