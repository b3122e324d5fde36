namespace MarketPush.LoadGen.Net;

/// <summary>How the server answered an upgrade request (see <see cref="HandshakeResponse.Parse"/>).</summary>
internal enum UpgradeOutcome
{
    /// <summary>101 with the right accept key: the connection is a WebSocket.</summary>
    Upgraded,

    /// <summary>Any other HTTP status (401, 403, 426, 503…): the status is reported.</summary>
    Refused,

    /// <summary>Not an HTTP response, or 101 without the right Sec-WebSocket-Accept.</summary>
    Invalid,

    /// <summary>permessage-deflate accepted but with server context takeover, which the stateless inflater cannot follow.</summary>
    UnsupportedDeflate,
}
