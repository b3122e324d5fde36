using MarketPush.Protocol.WebSockets;

namespace MarketPush.Engine.Transport;

/// <summary>
/// The named reasons a session ends, each with the close code PROTOCOL.md assigns. Logs and metrics use
/// <see cref="DisconnectReason.Name"/>; the close frame carries <see cref="DisconnectReason.Code"/>.
/// </summary>
public static class DisconnectReasons
{
    /// <summary>Close code for "connection dropped without a close frame" (RFC 6455 §7.1.5); never sent on the wire.</summary>
    public const ushort AbnormalClosureCode = 1006;

    public static readonly DisconnectReason Normal = new(CloseCodes.NormalClosure, "normal", string.Empty);
    public static readonly DisconnectReason ClientClosed = new(CloseCodes.NormalClosure, "client_closed", string.Empty);
    public static readonly DisconnectReason ServerShutdown = new(CloseCodes.GoingAway, "shutdown", "server shutting down");
    public static readonly DisconnectReason ProtocolError = new(CloseCodes.ProtocolError, "protocol_error", "protocol error");
    public static readonly DisconnectReason UnsupportedData = new(CloseCodes.UnsupportedData, "unsupported_data", "unsupported data");
    public static readonly DisconnectReason InvalidPayload = new(CloseCodes.InvalidPayloadData, "invalid_payload", "invalid payload data");
    public static readonly DisconnectReason PolicyViolation = new(CloseCodes.PolicyViolation, "policy", "policy violation");
    public static readonly DisconnectReason MessageTooBig = new(CloseCodes.MessageTooBig, "message_too_big", "message too big");
    public static readonly DisconnectReason InternalError = new(CloseCodes.InternalError, "internal_error", "internal error");
    public static readonly DisconnectReason TryAgainLater = new(CloseCodes.TryAgainLater, "overloaded", "try again later");
    public static readonly DisconnectReason SlowConsumer = new(CloseCodes.SlowConsumer, "slow_consumer", "slow consumer");
    public static readonly DisconnectReason HeartbeatTimeout = new(CloseCodes.HeartbeatTimeout, "heartbeat_timeout", "heartbeat timeout");
    // 1008, not 1000 (the session did not end normally) nor 1001 (clients reconnect at once, undoing the operator).
    public static readonly DisconnectReason Operator = new(CloseCodes.PolicyViolation, "operator", "disconnected by operator");
    public static readonly DisconnectReason ConnectionLost = new(AbnormalClosureCode, "connection_lost", "connection lost");

    /// <summary>
    /// Every reason a session end is known to be recorded with: each named reason, plus the codes clients commonly
    /// close with besides 1000 (1001 when a browser tab goes away, 1005 for a close frame without a code). The host
    /// gives these to the metrics, which export a zero series for each from startup.
    /// </summary>
    public static IReadOnlyList<DisconnectReason> Known { get; } =
    [
        Normal, ClientClosed, ServerShutdown, ProtocolError, UnsupportedData, InvalidPayload, PolicyViolation,
        MessageTooBig, InternalError, TryAgainLater, SlowConsumer, HeartbeatTimeout, ConnectionLost, Operator,
        FromClientClose(CloseCodes.GoingAway), FromClientClose(CloseCodes.NoStatusReceived),
    ];

    /// <summary>
    /// The named reason for a code the frame reader reported (a protocol violation), carrying the reader's text.
    /// </summary>
    public static DisconnectReason FromViolation(ushort code, string? description)
    {
        DisconnectReason named = code switch
        {
            CloseCodes.ProtocolError => ProtocolError,
            CloseCodes.UnsupportedData => UnsupportedData,
            CloseCodes.InvalidPayloadData => InvalidPayload,
            CloseCodes.PolicyViolation => PolicyViolation,
            CloseCodes.MessageTooBig => MessageTooBig,
            CloseCodes.InternalError => InternalError,
            _ => new DisconnectReason(code, "protocol_error", string.Empty),
        };
        return named.WithDescription(description);
    }

    /// <summary>The client closed first with <paramref name="code"/> (1005 when its close frame had no code).</summary>
    public static DisconnectReason FromClientClose(ushort code) =>
        code == CloseCodes.NormalClosure ? ClientClosed : new DisconnectReason(code, "client_closed", string.Empty);
}
