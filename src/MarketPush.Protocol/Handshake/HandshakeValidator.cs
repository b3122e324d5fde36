namespace MarketPush.Protocol.Handshake;

/// <summary>
/// Checks an upgrade request against RFC 6455 §4.2.1 before anything else about the connection is decided. Pure (no
/// ASP.NET types; header values are passed as the strings the request carried, one entry per header line), called once
/// per handshake by the transport; thread-safe.
/// <para>
/// Order: method (405), Upgrade (400), Connection (400), version (426, or 400 when absent), key (400). The version is
/// checked before the key because a client speaking another version may build its key differently; telling it which
/// version this server speaks is the useful answer.
/// </para>
/// </summary>
public static class HandshakeValidator
{
    public const string SupportedVersion = "13";

    /// <param name="method">The request method; only GET can be upgraded (§4.1), compared case-sensitively as HTTP methods are.</param>
    /// <param name="upgrade">Upgrade header values; one comma-separated token must be <c>websocket</c>, in any case.</param>
    /// <param name="connection">Connection header values; one comma-separated token must be <c>Upgrade</c>, in any case (Firefox sends <c>keep-alive, Upgrade</c>).</param>
    /// <param name="secWebSocketKey">Sec-WebSocket-Key header values; exactly one, base64 of 16 bytes.</param>
    /// <param name="secWebSocketVersion">Sec-WebSocket-Version header values; exactly one, <c>13</c>.</param>
    public static HandshakeOutcome Validate(
        string method,
        IEnumerable<string?> upgrade,
        IEnumerable<string?> connection,
        IEnumerable<string?> secWebSocketKey,
        IEnumerable<string?> secWebSocketVersion)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(upgrade);
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(secWebSocketKey);
        ArgumentNullException.ThrowIfNull(secWebSocketVersion);

        if (method != "GET")
        {
            return new(HandshakeOutcome.MethodNotAllowed, "A WebSocket upgrade must use GET.");
        }

        switch (FindToken(upgrade, "websocket"))
        {
            case TokenSearch.HeaderMissing:
                return new(HandshakeOutcome.BadRequest, "Missing Upgrade header; expected 'Upgrade: websocket'.");
            case TokenSearch.TokenMissing:
                return new(HandshakeOutcome.BadRequest, "The Upgrade header does not contain 'websocket'.");
        }

        switch (FindToken(connection, "Upgrade"))
        {
            case TokenSearch.HeaderMissing:
                return new(HandshakeOutcome.BadRequest, "Missing Connection header; expected 'Connection: Upgrade'.");
            case TokenSearch.TokenMissing:
                return new(HandshakeOutcome.BadRequest, "The Connection header does not contain 'Upgrade'.");
        }

        string? version = SingleValue(secWebSocketVersion, out int versionCount);
        if (versionCount == 0)
        {
            return new(HandshakeOutcome.BadRequest, "Missing Sec-WebSocket-Version header.");
        }

        if (versionCount > 1 || !version.AsSpan().Trim(" \t").SequenceEqual(SupportedVersion))
        {
            return new(HandshakeOutcome.UpgradeRequired, "Unsupported Sec-WebSocket-Version; this server speaks version 13.");
        }

        string? key = SingleValue(secWebSocketKey, out int keyCount);
        if (keyCount == 0)
        {
            return new(HandshakeOutcome.BadRequest, "Missing Sec-WebSocket-Key header.");
        }

        if (keyCount > 1)
        {
            return new(HandshakeOutcome.BadRequest, "The Sec-WebSocket-Key header must appear once.");
        }

        if (!WebSocketAccept.IsValidClientKey(key))
        {
            return new(HandshakeOutcome.BadRequest, "Sec-WebSocket-Key must be the base64 encoding of 16 bytes.");
        }

        return HandshakeOutcome.Accepted;
    }

    private enum TokenSearch
    {
        Found,
        HeaderMissing,
        TokenMissing,
    }

    private static TokenSearch FindToken(IEnumerable<string?> values, string token)
    {
        bool anyValue = false;
        foreach (string? value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            anyValue = true;
            foreach (Range range in value.AsSpan().Split(','))
            {
                if (value.AsSpan(range).Trim(" \t").Equals(token, StringComparison.OrdinalIgnoreCase))
                {
                    return TokenSearch.Found;
                }
            }
        }

        return anyValue ? TokenSearch.TokenMissing : TokenSearch.HeaderMissing;
    }

    /// <summary>The only non-blank value, with the number of non-blank values seen.</summary>
    private static string? SingleValue(IEnumerable<string?> values, out int count)
    {
        string? single = null;
        count = 0;
        foreach (string? value in values)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                single = value;
                count++;
            }
        }

        return single;
    }
}
