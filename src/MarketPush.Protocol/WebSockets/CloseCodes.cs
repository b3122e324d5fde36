namespace MarketPush.Protocol.WebSockets;

/// <summary>
/// Close status codes (RFC 6455 §7.4, IANA registry, and the 4xxx codes PROTOCOL.md defines). Used by the reader to
/// validate a peer's close frame and by the session layer to name why it closes; pure data, any thread.
/// </summary>
public static class CloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    public const ushort NoStatusReceived = 1005;
    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort InternalError = 1011;
    public const ushort TryAgainLater = 1013;
    public const ushort SlowConsumer = 4001;
    public const ushort HeartbeatTimeout = 4002;

    /// <summary>
    /// Whether <paramref name="code"/> may appear on the wire in a close frame. RFC 6455 §7.4.1 reserves 1004, and
    /// 1005/1006/1015 are "MUST NOT be set as a status code in a Close control frame"; 1012–1014 were registered
    /// later with IANA and are sent by real servers; 3000–3999 are IANA-registered and 4000–4999 private use.
    /// Everything else (0–999, 1016–2999, 5000+) is unassigned and a peer sending it is in error (§7.4.2).
    /// </summary>
    public static bool IsValidInCloseFrame(ushort code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };
}
