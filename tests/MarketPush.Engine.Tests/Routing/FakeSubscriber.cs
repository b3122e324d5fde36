using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>A subscriber that records what the router offered it: the message object, its seq and its payload text.</summary>
internal sealed class FakeSubscriber : IUpdateSubscriber
{
    public List<(OutboundMessage Message, long Sequence, string Payload, byte[] Bytes)> Updates { get; } = [];

    public List<string> Statuses { get; } = [];

    /// <summary>The clock reading the router passed with each update, in order.</summary>
    public List<long> Timestamps { get; } = [];

    public bool Throw { get; set; }

    public EnqueueResult TryEnqueue(OutboundMessage message, long sequence, long timestamp)
    {
        if (Throw)
        {
            throw new InvalidOperationException("broken subscriber");
        }

        SharedFrame frame = message.GetFrame(compressed: false);
        Timestamps.Add(timestamp);
        Updates.Add((message, sequence, RoutingTestKit.PayloadText(frame), RoutingTestKit.Payload(frame).ToArray()));
        return EnqueueResult.Enqueued;
    }

    public EnqueueResult TryEnqueueStatus(OutboundMessage message, long eventStamp)
    {
        Statuses.Add(RoutingTestKit.PayloadText(message.GetFrame(compressed: false)));
        return EnqueueResult.Enqueued;
    }
}
