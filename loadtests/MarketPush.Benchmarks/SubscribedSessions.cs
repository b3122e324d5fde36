using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Metrics;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// Benchmark rig for the fan-out stage: a real <see cref="SubscriptionRouter"/> over a small catalog and N sessions
/// (each a <see cref="ConflatingDelivery"/> + <see cref="OutboundQueue"/>, built by <see cref="SubscriptionCommands"/>
/// from a parsed subscribe command exactly as a connection's command builds them, with metrics listened to and
/// server-wide totals, as the server wires them), without sockets. <see cref="Drain"/> is each send loop's part
/// before its write: dequeue, release, tell the slots the queue drained. Built in GlobalSetup, used by one thread.
/// </summary>
internal sealed class SubscribedSessions : IDisposable
{
    private readonly OutboundQueue[] _queues;
    private readonly ConflatingDelivery[] _slots;
    private readonly MetricsCollector _collector;

    /// <param name="subscribe">The subscribe command's JSON, with <c>{symbol}</c> for the benchmarked instrument.</param>
    public SubscribedSessions(int sessions, string subscribe, TimeProvider? clock = null, SessionLimits? limits = null)
    {
        InstrumentCatalog catalog = InstrumentCatalog.CreateGenerated(4);
        Instrument = catalog[0];
        Cache = new LastValueCache(catalog);
        Pool = new FramePool();
        Frames = new FrameBuilder(Pool);
        Router = new SubscriptionRouter(Cache, Frames, timeProvider: clock);
        Wheel = new TimerWheel(clock);
        Metrics = new MarketPushMetrics();
        _collector = new MetricsCollector(Metrics, includeRuntimeMetrics: false);
        var commands = new SubscriptionCommands(Router, Frames, Wheel, limits ?? new SessionLimits(), Metrics, new DeliveryTotals());
        byte[] json = Encoding.UTF8.GetBytes(subscribe.Replace("{symbol}", Instrument.Symbol, StringComparison.Ordinal));
        if (!JsonCommandParser.TryParse(json, out ClientCommand? command, out CommandError error))
        {
            throw new InvalidOperationException(error.Message);
        }

        _queues = new OutboundQueue[sessions];
        _slots = new ConflatingDelivery[sessions];
        for (int i = 0; i < sessions; i++)
        {
            var queue = new OutboundQueue();
            SubscriptionTable table = commands.CreateTable(queue, WireEncoding.Json, compression: false, close: null);
            commands.Subscribe(table, command);
            _queues[i] = queue;
            _slots[i] = table.Updates;
        }

        // The 'subscribed' replies.
        Drain();
    }

    public Instrument Instrument { get; }

    public LastValueCache Cache { get; }

    public FramePool Pool { get; }

    public FrameBuilder Frames { get; }

    public SubscriptionRouter Router { get; }

    public TimerWheel Wheel { get; }

    public MarketPushMetrics Metrics { get; }

    public IReadOnlyList<ConflatingDelivery> Slots => _slots;

    /// <summary>Empties every queue as the send loops would before writing. Returns the frames taken.</summary>
    public int Drain()
    {
        int frames = 0;
        OutboundQueue[] queues = _queues;
        for (int i = 0; i < queues.Length; i++)
        {
            while (queues[i].TryDequeue(int.MaxValue, out SharedFrame frame))
            {
                frame.Release();
                frames++;
            }

            _slots[i].OnDrained();
        }

        return frames;
    }

    /// <summary>Throws unless every frame went back to the pool (call after a final <see cref="Drain"/>).</summary>
    public void AssertNoFrameOutstanding()
    {
        if (Pool.Outstanding != 0 || Pool.DoubleReleases != 0)
        {
            throw new InvalidOperationException(Pool.DescribeOutstanding());
        }
    }

    public void Dispose()
    {
        Drain();
        foreach (ConflatingDelivery slots in _slots)
        {
            slots.Complete();
        }

        foreach (OutboundQueue queue in _queues)
        {
            queue.Complete();
        }

        AssertNoFrameOutstanding();
        Frames.Dispose();
        Wheel.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _collector.Dispose();
        Metrics.Dispose();
    }
}
