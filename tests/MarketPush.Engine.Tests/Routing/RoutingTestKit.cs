using System.Buffers.Binary;
using System.Text.Json;
using System.Text;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Feeds;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings.Json;
using MarketPush.Protocol.Encodings.MessagePack;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>
/// The routing stage without sockets: a generated catalog, the real last-value cache, ingest, router, rate scheduler
/// and command executor, a manual clock, and counting encoders. Ticks go in through <see cref="IngestPipeline.Process"/>
/// exactly as a feed's would; sessions are a queue plus their conflation slots and subscription table.
/// </summary>
internal sealed class RoutingTestKit : IDisposable
{
    private long _timestamp = 1_763_800_000_000_000;

    public RoutingTestKit(int instruments = 4, int slowConsumerMs = 10_000, int maxSubscriptions = 10_000)
    {
        Catalog = InstrumentCatalog.CreateGenerated(instruments);
        Cache = new LastValueCache(Catalog);
        Sequences = new SequenceAssigner(Catalog.Count);
        Pool = new FramePool();
        Frames = new FrameBuilder(Pool, compressionThresholdBytes: 256);
        Json = new CountingMessageWriter(JsonMessageWriter.Instance);
        MessagePack = new CountingMessageWriter(MessagePackMessageWriter.Instance);
        Router = new SubscriptionRouter(Cache, Frames, Json, MessagePack, Clock);
        Ingest = new IngestPipeline(Cache, Sequences, Router);
        Wheel = new TimerWheel(Clock, TimeSpan.FromMilliseconds(5));
        Limits = new SessionLimits { SlowConsumerMs = slowConsumerMs, MaxSubscriptions = maxSubscriptions };
        Commands = new SubscriptionCommands(Router, Frames, Wheel, Limits, metrics: null, Totals);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2025, 11, 22, 14, 30, 0, TimeSpan.Zero));

    public InstrumentCatalog Catalog { get; }

    public LastValueCache Cache { get; }

    public SequenceAssigner Sequences { get; }

    public FramePool Pool { get; }

    public FrameBuilder Frames { get; }

    public CountingMessageWriter Json { get; }

    public CountingMessageWriter MessagePack { get; }

    public SubscriptionRouter Router { get; }

    public IngestPipeline Ingest { get; }

    public TimerWheel Wheel { get; }

    public SubscriptionCommands Commands { get; }

    public SessionLimits Limits { get; }

    public DeliveryTotals Totals { get; } = new();

    public TestSession NewSession(int queueFrames = 1024, long queueBytes = 1024 * 1024, WireEncoding encoding = WireEncoding.Json, bool compression = false)
    {
        var queue = new OutboundQueue(queueFrames, queueBytes);
        var closes = new List<DisconnectReason>();
        SubscriptionTable table = Commands.CreateTable(queue, encoding, compression, closes.Add);
        return new TestSession(this, queue, table.Updates, table, closes);
    }

    /// <summary>A session whose snapshots come from <paramref name="snapshots"/> (e.g. a wrapper of <see cref="Router"/>).</summary>
    public TestSession NewSession(ISnapshotSource snapshots, int queueFrames = 1024)
    {
        var queue = new OutboundQueue(queueFrames);
        var closes = new List<DisconnectReason>();
        var delivery = new ConflatingDelivery(queue, new WireVariant(WireEncoding.Json, deflate: false), snapshots, Wheel, Limits, metrics: null, Totals, closes.Add);
        var table = new SubscriptionTable(delivery, Limits.MaxSubscriptions);
        return new TestSession(this, queue, delivery, table, closes);
    }

    public long NextTimestamp() => _timestamp += 1_000;

    /// <summary>A quote for the instrument: bid/ask in cents.</summary>
    public void Quote(int instrumentId, long bid, long ask = 0, long size = 100) =>
        Ingest.Process(Tick.ForQuote(instrumentId, NextTimestamp(), new Quote(bid, size, ask == 0 ? bid + 2 : ask, size)));

    public void Trade(int instrumentId, long price, long size = 10) =>
        Ingest.Process(Tick.ForTrade(instrumentId, NextTimestamp(), new Trade(price, size, TradeSide.Buy)));

    /// <summary>One book update of several level changes (size 0 removes).</summary>
    public void Book(int instrumentId, params (BookSide Side, long Price, long Size)[] levels)
    {
        long ts = NextTimestamp();
        for (int i = 0; i < levels.Length; i++)
        {
            Ingest.Process(Tick.ForBookLevel(instrumentId, ts, levels[i].Side, levels[i].Price, levels[i].Size, endsBookUpdate: i == levels.Length - 1));
        }
    }

    /// <summary>A full book: <paramref name="levels"/> bids below and asks above <paramref name="mid"/>, one cent apart.</summary>
    public void FullBook(int instrumentId, long mid, int levels, long size = 100)
    {
        var changes = new List<(BookSide, long, long)>();
        for (int i = 0; i < levels; i++)
        {
            changes.Add((BookSide.Bid, mid - 1 - i, size + i));
            changes.Add((BookSide.Ask, mid + 1 + i, size + i));
        }

        Book(instrumentId, [.. changes]);
    }

    public static ClientCommand Command(string json)
    {
        Assert.True(JsonCommandParser.TryParse(Encoding.UTF8.GetBytes(json), out ClientCommand? command, out CommandError error), error.Message);
        return command;
    }

    /// <summary>The payload of an unmasked, unfragmented server frame.</summary>
    public static ReadOnlySpan<byte> Payload(SharedFrame frame)
    {
        ReadOnlySpan<byte> bytes = frame.Bytes;
        int length = bytes[1] & 0x7F;
        return length switch
        {
            126 => bytes.Slice(4, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..])),
            127 => bytes.Slice(10, (int)BinaryPrimitives.ReadUInt64BigEndian(bytes[2..])),
            _ => bytes.Slice(2, length),
        };
    }

    public static string PayloadText(SharedFrame frame) => Encoding.UTF8.GetString(Payload(frame));

    public void AssertNoLeaks(params TestSession[] sessions)
    {
        foreach (TestSession session in sessions)
        {
            Commands.RemoveAll(session.Table);
            session.Queue.Complete();
        }

        Assert.True(Pool.Outstanding == 0, Pool.DescribeOutstanding());
        Assert.Equal(0, Pool.DoubleReleases);
    }

    public void Dispose() => Frames.Dispose();
}
