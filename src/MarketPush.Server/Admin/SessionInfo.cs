namespace MarketPush.Server.Admin;

/// <summary>
/// One open session as the admin API shows it: a copy taken by <see cref="AdminViews.Describe"/> field by field from
/// the live <c>Session</c>, so serializing it holds no lock and sees no concurrent change (the values are each read
/// atomically, not all at one instant).
/// </summary>
internal sealed class SessionInfo
{
    public required string Id { get; init; }

    /// <summary>ip:port of the client as the transport saw it; null when the transport did not report it.</summary>
    public required string? RemoteAddress { get; init; }

    /// <summary><c>json</c> or <c>msgpack</c> (the negotiated subprotocol).</summary>
    public required string Encoding { get; init; }

    /// <summary>True when permessage-deflate was negotiated.</summary>
    public required bool Compression { get; init; }

    public required DateTime ConnectedAt { get; init; }

    public required double AgeSeconds { get; init; }

    /// <summary>(symbol, channel) pairs subscribed.</summary>
    public required int SubscriptionCount { get; init; }

    /// <summary>Distinct symbols subscribed (the length of <see cref="Subscriptions"/> unless truncated).</summary>
    public required int SymbolCount { get; init; }

    public required SubscriptionInfo[] Subscriptions { get; init; }

    /// <summary>True when the listing cut <see cref="Subscriptions"/> short; <c>GET /admin/sessions/{id}</c> has them all.</summary>
    public required bool SubscriptionsTruncated { get; init; }

    /// <summary>Data frames waiting in the outbound queue (control and close frames not included).</summary>
    public required int QueueFrames { get; init; }

    public required long QueueBytes { get; init; }

    public required int QueueMaxFrames { get; init; }

    public required long QueueMaxBytes { get; init; }

    /// <summary>Updates replaced by a newer one before they were sent (maxRate or a full queue).</summary>
    public required long Conflated { get; init; }

    /// <summary>Updates dropped (book resync, session closing, queue full).</summary>
    public required long Dropped { get; init; }

    public required long MessagesReceived { get; init; }

    public required long ErrorReplies { get; init; }

    /// <summary>True once the session is closing; <see cref="CloseReason"/> and <see cref="CloseCode"/> say why.</summary>
    public required bool Closing { get; init; }

    public required string? CloseReason { get; init; }

    public required int? CloseCode { get; init; }
}
