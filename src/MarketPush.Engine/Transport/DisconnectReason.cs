namespace MarketPush.Engine.Transport;

/// <summary>
/// Why a session ended: the close code sent (or received) on the wire, a short low-cardinality name for logs and
/// metrics labels (<c>slow_consumer</c>, <c>heartbeat_timeout</c>…), and the human text put in the close frame.
/// Immutable; the well-known values live in <see cref="DisconnectReasons"/>. Set once per session, by whichever
/// thread decides first (receive loop, keepalive, shutdown, router).
/// </summary>
public sealed class DisconnectReason
{
    public DisconnectReason(ushort code, string name, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Code = code;
        Name = name;
        Description = description ?? string.Empty;
    }

    /// <summary>The close status code (RFC 6455 §7.4); 1006 when the connection dropped without a close frame.</summary>
    public ushort Code { get; }

    /// <summary>Stable snake_case name, safe as a metric label.</summary>
    public string Name { get; }

    /// <summary>Reason text for the close frame (cut to 123 UTF-8 bytes when sent).</summary>
    public string Description { get; }

    /// <summary>The same reason with a more specific description (e.g. the reader's violation text).</summary>
    public DisconnectReason WithDescription(string? description) =>
        string.IsNullOrEmpty(description) || description == Description ? this : new DisconnectReason(Code, Name, description);

    public override string ToString() => $"{Name} ({Code}){(Description.Length > 0 ? ": " + Description : string.Empty)}";
}
