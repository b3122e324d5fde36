using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Sessions;

/// <summary>
/// How the session layer tells the router about subscriptions, and reads the snapshots a new or resyncing
/// subscription starts from. Defined here and implemented by <c>Routing.SubscriptionRouter</c>, so the router depends
/// on the session layer (it delivers to <see cref="IUpdateSubscriber"/>s) and never the other way round. Called from
/// receive loops (subscribe, unsubscribe, session end); the router's fan-out runs concurrently.
/// </summary>
public interface ISubscriptionRouter : ISnapshotSource
{
    /// <summary>The instruments subscriptions name.</summary>
    InstrumentCatalog Catalog { get; }

    /// <summary>Starts offering <paramref name="subscriber"/> the channel's updates in its wire variant.</summary>
    void Add(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireVariant variant);

    /// <summary>Stops offering them; false when it was not subscribed.</summary>
    bool Remove(IUpdateSubscriber subscriber, int instrumentId, MarketChannel channel, WireVariant variant);
}
