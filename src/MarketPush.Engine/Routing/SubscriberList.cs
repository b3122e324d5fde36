using MarketPush.Engine.Sessions;

namespace MarketPush.Engine.Routing;

/// <summary>
/// One published state of a router subscriber group: the first <see cref="Count"/> slots of <see cref="Items"/>.
/// Immutable once published, and the slots it covers are never written again, so the ingest thread iterates it
/// lock-free while <see cref="SubscriptionRouter.Add"/>/<see cref="SubscriptionRouter.Remove"/> (under the router's
/// lock) publish the next one with a volatile write.
/// </summary>
internal sealed class SubscriberList
{
    public const int InitialCapacity = 4;

    public static readonly SubscriberList Empty = new([], 0);

    public SubscriberList(IUpdateSubscriber[] items, int count)
    {
        Items = items;
        Count = count;
    }

    public IUpdateSubscriber[] Items { get; }

    public int Count { get; }

    public ReadOnlySpan<IUpdateSubscriber> AsSpan() => new(Items, 0, Count);
}
