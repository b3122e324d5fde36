using System.Diagnostics.CodeAnalysis;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// One session's subscriptions, by (instrument, channel), with the per-connection limit, and the session's
/// <see cref="ConflatingDelivery"/> they deliver through. Changed by <see cref="SubscriptionCommands"/> on the session's
/// receive loop and emptied when the session ends (possibly on another thread), so every access takes its lock;
/// commands hold <see cref="Gate"/> across a whole subscribe or unsubscribe so the limit check and the changes it
/// allows are one step. Off the hot path: the router holds the <see cref="Subscription"/> objects themselves.
/// </summary>
public sealed class SubscriptionTable
{
    private readonly Dictionary<long, Subscription> _subscriptions = [];
    private bool _closed;

    public SubscriptionTable(ConflatingDelivery updates, int maxSubscriptions = 10_000)
    {
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSubscriptions, 1);
        Updates = updates;
        MaxSubscriptions = maxSubscriptions;
    }

    /// <summary>Where this session's market data goes (and its queue, encoding and compression).</summary>
    public ConflatingDelivery Updates { get; }

    /// <summary>Most (symbol, channel) pairs this connection may hold.</summary>
    public int MaxSubscriptions { get; }

    public int Count
    {
        get
        {
            lock (Gate)
            {
                return _subscriptions.Count;
            }
        }
    }

    /// <summary>True once the session ended: subscribe commands are ignored from then on.</summary>
    public bool IsClosed
    {
        get
        {
            lock (Gate)
            {
                return _closed;
            }
        }
    }

    internal Lock Gate { get; } = new();

    public bool TryGet(int instrumentId, MarketChannel channel, [NotNullWhen(true)] out Subscription? subscription)
    {
        lock (Gate)
        {
            return _subscriptions.TryGetValue(Key(instrumentId, channel), out subscription);
        }
    }

    /// <summary>The current subscriptions (a copy), for diagnostics and tests.</summary>
    public Subscription[] ToArray()
    {
        lock (Gate)
        {
            return [.. _subscriptions.Values];
        }
    }

    // Callers hold Gate.
    internal int CountLocked => _subscriptions.Count;

    internal bool ClosedLocked => _closed;

    internal bool TryGetLocked(int instrumentId, MarketChannel channel, [NotNullWhen(true)] out Subscription? subscription) =>
        _subscriptions.TryGetValue(Key(instrumentId, channel), out subscription);

    internal void SetLocked(Subscription subscription) =>
        _subscriptions[Key(subscription.Instrument.Id, subscription.Channel)] = subscription;

    internal bool TryRemoveLocked(int instrumentId, MarketChannel channel, [NotNullWhen(true)] out Subscription? subscription) =>
        _subscriptions.Remove(Key(instrumentId, channel), out subscription);

    /// <summary>Marks the table closed and hands back every subscription it held.</summary>
    internal Subscription[] CloseLocked()
    {
        _closed = true;
        Subscription[] all = [.. _subscriptions.Values];
        _subscriptions.Clear();
        return all;
    }

    private static long Key(int instrumentId, MarketChannel channel) => ((long)instrumentId << 2) | (long)channel;
}
