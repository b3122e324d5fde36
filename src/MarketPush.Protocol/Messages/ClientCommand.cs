namespace MarketPush.Protocol.Messages;

/// <summary>
/// One parsed and validated client command, produced by the JSON and MessagePack command parsers on a connection's
/// receive loop and handed to the command handler. Defaults of PROTOCOL.md are already applied: channels default
/// to [quote] for subscribe and to all channels for unsubscribe, snapshot to true, maxRate to 0, depth to 10.
/// Values are checked (depth is a tier, maxRate finite and ≥ 0, id in 0..2^53-1); whether a symbol exists or is
/// allowed is the handler's business. Commands are off the hot path, so this is a plain immutable class.
/// </summary>
public sealed class ClientCommand
{
    /// <summary>Largest <c>id</c> a client may send: 2^53-1, the largest integer a JavaScript number holds exactly.</summary>
    public const long MaxId = (1L << 53) - 1;

    public required CommandOp Op { get; init; }

    /// <summary>The client-chosen id, echoed in the reply; null when the command had none.</summary>
    public long? Id { get; init; }

    /// <summary>Symbols of subscribe/unsubscribe, as sent (case-sensitive, duplicates kept). Empty for other ops.</summary>
    public IReadOnlyList<string> Symbols { get; init; } = [];

    public MarketChannels Channels { get; init; }

    /// <summary>True when the client sent <c>channels</c> (false: <see cref="Channels"/> holds the op's default).</summary>
    public bool ChannelsSpecified { get; init; }

    public bool Snapshot { get; init; } = true;

    /// <summary>Updates per second per symbol and channel; 0 means every update.</summary>
    public double MaxRate { get; init; }

    /// <summary>True when the client sent <c>maxRate</c>, so a later subscribe without it can keep the earlier value if the handler chooses.</summary>
    public bool MaxRateSpecified { get; init; }

    /// <summary>Book levels per side: one of <see cref="BookDepth.Tiers"/>.</summary>
    public int Depth { get; init; } = BookDepth.Default;

    public bool DepthSpecified { get; init; }

    /// <summary>The <c>symbols</c> op's optional case-sensitive prefix filter.</summary>
    public string? Prefix { get; init; }
}
