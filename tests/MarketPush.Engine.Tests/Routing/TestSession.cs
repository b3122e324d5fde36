using System.Text.Json;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>One session without a socket: its queue, conflation slots, subscriptions and the close reasons it asked for.</summary>
internal sealed class TestSession(RoutingTestKit kit, OutboundQueue queue, ConflatingDelivery slots, SubscriptionTable table, List<DisconnectReason> closes)
{
    public OutboundQueue Queue { get; } = queue;

    public ConflatingDelivery Slots { get; } = slots;

    public SubscriptionTable Table { get; } = table;

    public List<DisconnectReason> Closes { get; } = closes;

    public void Subscribe(string json) => kit.Commands.Subscribe(Table, RoutingTestKit.Command(json));

    public void Unsubscribe(string json) => kit.Commands.Unsubscribe(Table, RoutingTestKit.Command(json));

    /// <summary>What the send loop would write now, as JSON messages (and then, as the send loop does, OnDrained).</summary>
    public List<JsonElement> Drain(bool thenDrained = true)
    {
        var messages = new List<JsonElement>();
        while (Queue.TryDequeue(int.MaxValue, out SharedFrame frame))
        {
            messages.Add(JsonDocument.Parse(RoutingTestKit.Payload(frame).ToArray()).RootElement.Clone());
            frame.Release();
        }

        if (thenDrained)
        {
            Slots.OnDrained();
        }

        return messages;
    }

    /// <summary>Drains until nothing more comes (flushes of held values included).</summary>
    public List<JsonElement> DrainAll()
    {
        var all = new List<JsonElement>();
        while (true)
        {
            List<JsonElement> batch = Drain();
            if (batch.Count == 0)
            {
                return all;
            }

            all.AddRange(batch);
        }
    }

    public static List<JsonElement> OfType(List<JsonElement> messages, string type) =>
        messages.Where(m => m.GetProperty("type").GetString() == type).ToList();
}
