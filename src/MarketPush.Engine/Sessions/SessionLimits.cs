namespace MarketPush.Engine.Sessions;

/// <summary>
/// Per-session policies of PROTOCOL.md that the server may tune (the command line maps onto them): when a slow
/// consumer is closed, how many subscriptions a connection may hold, and how many bad or excess commands it may send.
/// Immutable; shared by every session.
/// </summary>
public sealed class SessionLimits
{
    public static readonly SessionLimits Default = new();

    /// <summary>A session whose queue stays full this long is closed with 4001 (PROTOCOL.md: default 10 s).</summary>
    public int SlowConsumerMs { get; init; } = 10_000;

    /// <summary>(symbol, channel) pairs one connection may subscribe; past it symbols are rejected with <c>limit</c>.</summary>
    public int MaxSubscriptions { get; init; } = 10_000;

    /// <summary>More <c>error</c> replies than this within <see cref="ErrorWindowMs"/> closes the connection with 1008.</summary>
    public int MaxErrorReplies { get; init; } = 20;

    public int ErrorWindowMs { get; init; } = 10_000;

    /// <summary>Sustained commands per second per connection; beyond it (and the burst) commands get <c>rate_limited</c>.</summary>
    public double MaxCommandsPerSecond { get; init; } = 200;

    /// <summary>Commands a connection may send at once before the rate applies (a UI subscribing symbol by symbol at start).</summary>
    public int CommandBurst { get; init; } = 1_000;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first setting out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(SlowConsumerMs, 1, nameof(SlowConsumerMs));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxSubscriptions, 1, nameof(MaxSubscriptions));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxErrorReplies, 1, nameof(MaxErrorReplies));
        ArgumentOutOfRangeException.ThrowIfLessThan(ErrorWindowMs, 1, nameof(ErrorWindowMs));
        if (!double.IsFinite(MaxCommandsPerSecond) || MaxCommandsPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxCommandsPerSecond), MaxCommandsPerSecond, "Must be a positive number.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(CommandBurst, 1, nameof(CommandBurst));
    }
}
