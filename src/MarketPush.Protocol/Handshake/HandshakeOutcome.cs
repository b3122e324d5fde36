namespace MarketPush.Protocol.Handshake;

/// <summary>
/// The verdict of <see cref="HandshakeValidator"/> on one upgrade request: accepted, or the HTTP status and reason to
/// refuse it with. The transport writes the response; for 426 it must add <c>Sec-WebSocket-Version: 13</c>
/// (RFC 6455 §4.2.2 item 4) and for 405 <c>Allow: GET</c> (RFC 9110 §15.5.6).
/// </summary>
/// <param name="StatusCode">101 when accepted; otherwise 400, 405 or 426.</param>
/// <param name="Reason">Null when accepted; otherwise a short reason that names the offending header or method.</param>
public readonly record struct HandshakeOutcome(int StatusCode, string? Reason)
{
    public const int SwitchingProtocols = 101;
    public const int BadRequest = 400;
    public const int MethodNotAllowed = 405;
    public const int UpgradeRequired = 426;

    public static HandshakeOutcome Accepted => new(SwitchingProtocols, null);

    public bool IsAccepted => StatusCode == SwitchingProtocols;
}
