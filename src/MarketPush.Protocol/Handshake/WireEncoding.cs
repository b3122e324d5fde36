namespace MarketPush.Protocol.Handshake;

/// <summary>
/// How a session's messages are written (PROTOCOL.md "Encodings"), chosen once per connection in the handshake by
/// <see cref="SubprotocolSelector"/>. Part of the wire variant the router builds frames for.
/// </summary>
public enum WireEncoding
{
    /// <summary><c>marketpush.v1.json</c>, or no subprotocol: text frames, one JSON object per message.</summary>
    Json,

    /// <summary><c>marketpush.v1.msgpack</c>: binary frames, one MessagePack map per message.</summary>
    MessagePack,
}
