using MarketPush.Engine.Buffers;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace MarketPush.Engine.Tests.Transport;

/// <summary>
/// A transport built the way the composition root builds one, without market data: frame builder, messages, a
/// command handler that only answers <c>ping</c>, the session factory, then the <see cref="StreamServer"/>.
/// </summary>
internal static class TestStreamServer
{
    public static StreamServer Create(StreamOptions options, TimeProvider time, MarketPushMetrics? metrics = null)
    {
        var frames = new FrameBuilder(new FramePool(), options.CompressionThresholdBytes, metrics: metrics);
        var messages = new ServerMessages(frames, options.HeartbeatMs, time);
        var commands = new CommandHandler(messages, timeProvider: time);
        var sessions = new SessionFactory(frames, messages, commands, options.QueueMaxFrames, options.QueueMaxBytes);
        return new StreamServer(options, frames, sessions, NullLoggerFactory.Instance, time, metrics);
    }
}
