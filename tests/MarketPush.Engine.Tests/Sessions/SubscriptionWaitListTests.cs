using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Tests.Routing;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Sessions;

/// <summary>The wait line: first in, first out, O(1) removal from anywhere, and a count the send loop can read without the lock.</summary>
public sealed class SubscriptionWaitListTests : IDisposable
{
    private readonly RoutingTestKit _kit = new(instruments: 5);

    [Fact]
    public void Line_KeepsArrivalOrder_AndAnyoneCanLeaveWithoutReorderingTheRest()
    {
        Subscription[] subscriptions = Subscriptions(5);
        var line = new SubscriptionWaitList();
        foreach (Subscription subscription in subscriptions)
        {
            line.Append(subscription);
        }

        line.Remove(subscriptions[2]); // middle
        line.Remove(subscriptions[0]); // head
        line.Remove(subscriptions[4]); // tail

        Assert.Equal([subscriptions[1], subscriptions[3]], Walk(line));
        Assert.Equal(2, line.Count);
        Assert.Equal(2, line.CountHint);

        line.Append(subscriptions[0]); // a key that left may join again, at the back
        Assert.Equal([subscriptions[1], subscriptions[3], subscriptions[0]], Walk(line));
        Assert.Same(subscriptions[0], line.Tail);
    }

    [Fact]
    public void EmptiedLine_HasNoHeadOrTail_AndACountHintOfZero()
    {
        Subscription[] subscriptions = Subscriptions(2);
        var line = new SubscriptionWaitList();
        line.Append(subscriptions[0]);
        line.Append(subscriptions[1]);

        line.Remove(subscriptions[1]);
        line.Remove(subscriptions[0]);

        Assert.Null(line.Head);
        Assert.Null(line.Tail);
        Assert.Equal(0, line.CountHint);
        Assert.Null(subscriptions[0].SlotNext);
        Assert.Null(subscriptions[0].SlotPrevious);
    }

    public void Dispose() => _kit.Dispose();

    private static List<Subscription> Walk(SubscriptionWaitList line)
    {
        var order = new List<Subscription>();
        for (Subscription? s = line.Head; s is not null; s = s.SlotNext)
        {
            order.Add(s);
        }

        return order;
    }

    private Subscription[] Subscriptions(int count)
    {
        var delivery = new ConflatingDelivery(new OutboundQueue(), new WireVariant(WireEncoding.Json, deflate: false), _kit.Router, _kit.Wheel);
        return [.. Enumerable.Range(0, count).Select(i => new Subscription(delivery, _kit.Catalog[i], MarketChannel.Quote, 0, 0))];
    }
}
