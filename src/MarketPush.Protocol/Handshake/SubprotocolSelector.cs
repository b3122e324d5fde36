namespace MarketPush.Protocol.Handshake;

/// <summary>
/// Picks the session's encoding from the client's Sec-WebSocket-Protocol values (RFC 6455 §4.2.2 item 5.4,
/// PROTOCOL.md "Encodings"). Called once per handshake by the transport; pure and thread-safe.
/// </summary>
public static class SubprotocolSelector
{
    public const string Json = "marketpush.v1.json";
    public const string MessagePack = "marketpush.v1.msgpack";

    /// <summary>
    /// Returns the first protocol, in the client's order, that the server speaks, to be echoed in the response;
    /// null when the client offered none of them (the session is then JSON and the response carries no
    /// Sec-WebSocket-Protocol header, as PROTOCOL.md requires). Values may repeat the header and hold comma lists.
    /// Names compare ordinally: a browser fails the connection unless the echo matches one it sent exactly.
    /// </summary>
    public static string? Select(IEnumerable<string?> requestedProtocols, out WireEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(requestedProtocols);
        foreach (string? header in requestedProtocols)
        {
            if (string.IsNullOrEmpty(header))
            {
                continue;
            }

            foreach (Range range in header.AsSpan().Split(','))
            {
                ReadOnlySpan<char> name = header.AsSpan(range).Trim(" \t");
                if (name.SequenceEqual(Json))
                {
                    encoding = WireEncoding.Json;
                    return Json;
                }

                if (name.SequenceEqual(MessagePack))
                {
                    encoding = WireEncoding.MessagePack;
                    return MessagePack;
                }
            }
        }

        encoding = WireEncoding.Json;
        return null;
    }
}
