namespace MarketPush.Engine.Transport;

/// <summary>
/// The connection deadlines, converted once from <see cref="StreamOptions"/> into <see cref="TimeProvider.GetTimestamp"/>
/// units so that the keepalive tick compares integers. Part of <see cref="ConnectionServices"/>; immutable.
/// </summary>
/// <param name="HeartbeatTicks">Silence after which a ping (or a <c>heartbeat</c> message) goes out.</param>
/// <param name="CloseTimeoutTicks">How long a close handshake may take before the connection is dropped.</param>
/// <param name="CloseTimeoutMs">The same bound in milliseconds, for waits on the send loop.</param>
/// <param name="KeepAliveIntervalTicks">The keepalive timer's interval.</param>
internal readonly record struct ConnectionTiming(long HeartbeatTicks, long CloseTimeoutTicks, int CloseTimeoutMs, long KeepAliveIntervalTicks);
