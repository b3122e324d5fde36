using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.WebSockets.Deflate;

namespace MarketPush.Engine.Transport;

/// <summary>
/// What one opening handshake decided: refused (status and reason), or accepted with the accept key, the subprotocol
/// (encoding) and the permessage-deflate answer. Built once per handshake, on the handshaking thread, by both ways
/// in: <see cref="StreamEndpoint"/> (Kestrel's HTTP pipeline, header values from <c>IHeaderDictionary</c>) and
/// <see cref="DirectUpgradeMiddleware"/> (header values parsed from the raw request). Both go through
/// <see cref="Negotiate"/>, so a request gets the same verdict and the same 101 headers whichever way it came.
/// </summary>
internal readonly struct UpgradeDecision
{
    private UpgradeDecision(HandshakeOutcome outcome, string? acceptKey, string? protocol, WireEncoding encoding, string? extensionResponse)
    {
        Outcome = outcome;
        AcceptKey = acceptKey;
        Protocol = protocol;
        Encoding = encoding;
        ExtensionResponse = extensionResponse;
    }

    /// <summary>Accepted (101), or the status and reason to refuse with (RFC 6455 §4.2.1 checks).</summary>
    public HandshakeOutcome Outcome { get; }

    public bool IsAccepted => Outcome.IsAccepted;

    /// <summary>Sec-WebSocket-Accept (RFC 6455 §4.2.2 item 5.4); null when refused.</summary>
    public string? AcceptKey { get; }

    /// <summary>The Sec-WebSocket-Protocol to echo, or null (JSON, no header).</summary>
    public string? Protocol { get; }

    public WireEncoding Encoding { get; }

    /// <summary>The Sec-WebSocket-Extensions answer when permessage-deflate was negotiated (RFC 7692 §7.1), else null.</summary>
    public string? ExtensionResponse { get; }

    public bool Deflate => ExtensionResponse is not null;

    /// <summary>Header values are one entry per header line, as the request carried them.</summary>
    public static UpgradeDecision Negotiate(
        string method,
        IEnumerable<string?> upgrade,
        IEnumerable<string?> connection,
        IEnumerable<string?> secWebSocketKey,
        IEnumerable<string?> secWebSocketVersion,
        IEnumerable<string?> secWebSocketProtocol,
        IEnumerable<string?> secWebSocketExtensions)
    {
        HandshakeOutcome outcome = HandshakeValidator.Validate(method, upgrade, connection, secWebSocketKey, secWebSocketVersion);
        if (!outcome.IsAccepted)
        {
            return new UpgradeDecision(outcome, null, null, WireEncoding.Json, null);
        }

        // The validator saw exactly one non-blank key.
        string key = secWebSocketKey.First(static value => !string.IsNullOrWhiteSpace(value))!.Trim();
        string? protocol = SubprotocolSelector.Select(secWebSocketProtocol, out WireEncoding encoding);
        bool deflate = DeflateOffer.TryNegotiate(secWebSocketExtensions, out _, out string extensionResponse);
        return new UpgradeDecision(outcome, WebSocketAccept.ComputeAcceptKey(key), protocol, encoding, deflate ? extensionResponse : null);
    }
}
