using MarketPush.Engine.Metrics;
using MarketPush.Protocol.Handshake;

namespace MarketPush.Engine.Tests.Metrics;

// Records at least one sample on every MarketPush instrument, so a scrape shows every family with data.
internal static class MetricsSamples
{
    public static void RecordEverything(MarketPushMetrics metrics)
    {
        metrics.SetConnectionLimit(5000);
        metrics.HandshakeCompleted(HandshakeResult.Accepted);
        metrics.HandshakeCompleted(HandshakeResult.Unauthorized);
        metrics.ConnectionOpened();
        metrics.ConnectionOpened();
        metrics.SubscriptionsAdded(40);
        metrics.MessagesSent(WireEncoding.Json, compressed: false, bytes: 118);
        metrics.MessagesSent(WireEncoding.MessagePack, compressed: true, messages: 3, bytes: 900);
        metrics.SocketWrite(4);
        metrics.TickAgeAtWrite(0.00042);
        metrics.TickAgeAtWrite(0.07);
        metrics.OutboundQueueDepth(12);
        metrics.Conflated(ConflationReason.MaxRate, 3);
        metrics.Dropped(DropReason.QueueFull);
        metrics.SlowConsumerClosed(SlowConsumerReason.QueueFull);
        metrics.SessionClosed(4001, "slow_consumer");
        metrics.ConnectionClosed();
        metrics.Compressed(2048, 610);

        FeedMetrics feed = metrics.Feed("replay");
        feed.ObserveIngestDepth(() => 17);
        feed.UpdateReceived(0.0012);
        feed.IngestDropped(2);
        FeedMetrics second = metrics.Feed("nasdaq \"itch\"\\5");
        second.UpdatesReceived(10, -0.0001);

        try
        {
            throw new InvalidOperationException("counted by marketpush_runtime_exceptions_total");
        }
        catch (InvalidOperationException)
        {
        }
    }
}
