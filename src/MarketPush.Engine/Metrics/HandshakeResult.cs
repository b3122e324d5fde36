namespace MarketPush.Engine.Metrics;

/// <summary>
/// How the transport answered one upgrade request; the <c>result</c> label of
/// <see cref="MetricNames.TransportHandshakesTotal"/>. Values map to PROTOCOL.md's refusals.
/// </summary>
public enum HandshakeResult
{
    /// <summary>101 Switching Protocols (<c>accepted</c>).</summary>
    Accepted,

    /// <summary>400: not a valid WebSocket upgrade, e.g. a missing or malformed key (<c>bad_request</c>).</summary>
    BadRequest,

    /// <summary>426: a Sec-WebSocket-Version other than 13 (<c>unsupported_version</c>).</summary>
    UnsupportedVersion,

    /// <summary>401: missing, expired or badly signed token (<c>unauthorized</c>).</summary>
    Unauthorized,

    /// <summary>403: Origin not on the allow-list (<c>forbidden</c>).</summary>
    Forbidden,

    /// <summary>503 with Retry-After: over the connection limit or shutting down (<c>over_limit</c>).</summary>
    OverLimit,

    /// <summary>The upgrade failed after it was accepted for processing (I/O error, abort) (<c>error</c>).</summary>
    Error,
}
