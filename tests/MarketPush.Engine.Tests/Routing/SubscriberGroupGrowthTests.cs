using MarketPush.Engine.Buffers;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Handshake;
using MarketPush.Protocol.Messages;
using Xunit.Abstractions;

namespace MarketPush.Engine.Tests.Routing;

/// <summary>
/// What a subscriber group costs to grow when thousands of sessions share a symbol, and that growing it while the
/// ingest thread fans out never loses or corrupts a subscriber. Every subscribe of a popular symbol goes through
/// <see cref="SubscriptionRouter.Add"/>; its garbage stays resident as GC budget (issue 6, G3: idle RSS per connection).
/// </summary>
[Collection(RouterChurnCollection.Name)]
public sealed class SubscriberGroupGrowthTests : IDisposable
{
    private readonly RoutingTestKit _kit = new();
    private readonly ITestOutputHelper _output;

    public SubscriberGroupGrowthTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void Add_ToASymbolWithAThousandSubscribers_AllocatesUnder256BytesAmortized()
    {
        AddQuoteSubscribers(1000);

        var next = new RecordingSubscriber[1000];
        for (int i = 0; i < next.Length; i++)
        {
            next[i] = new RecordingSubscriber();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (RecordingSubscriber subscriber in next)
        {
            _kit.Router.Add(subscriber, 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));
        }

        long perAdd = (GC.GetAllocatedBytesForCurrentThread() - before) / next.Length;
        _output.WriteLine($"{perAdd} B per add at 1,001-2,000 subscribers");

        // Copy-on-write of the whole array cost 16 B per existing subscriber: ~24 KB per add over this range.
        Assert.True(perAdd < 256, $"adding subscribers 1,001-2,000 allocated {perAdd} B per add");
        Assert.Equal(2000, _kit.Router.CountSubscribers(0, MarketChannel.Quote));

        _kit.Quote(0, bid: 10_000);
        Assert.All(next, s => Assert.Equal([1L], s.Sequences));
    }

    [Fact]
    public void Churn_OnASymbolWithAThousandSubscribers_CopiesTheGroupOncePerDisconnectAndConnect()
    {
        RecordingSubscriber[] subscribers = AddQuoteSubscribers(1000);
        RecordingSubscriber[] arrivals = [.. Enumerable.Range(0, 100).Select(_ => new RecordingSubscriber())];

        // A client leaves and another joins, a hundred times: the steady churn of a popular symbol.
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < arrivals.Length; i++)
        {
            Assert.True(_kit.Router.Remove(subscribers[i], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
            _kit.Router.Add(arrivals[i], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));
        }

        long perChurn = (GC.GetAllocatedBytesForCurrentThread() - before) / arrivals.Length;
        _output.WriteLine($"{perChurn} B per leave + join at 1,000 subscribers");

        // One copy of the group's array (1,024 slots of 8 B, plus the snapshot objects) per leave, none per join. A
        // remove that trimmed the array to its count made the next join copy it again into a doubled one (~16 KB more).
        Assert.True(perChurn < 10 * 1024, $"a leave and a join at 1,000 subscribers allocated {perChurn} B");
        _kit.Quote(0, bid: 10_000);
        Assert.Equal(1000, _kit.Router.Offers);
        Assert.All(arrivals, s => Assert.Single(s.Sequences));
        Assert.All(subscribers.Take(arrivals.Length), s => Assert.Empty(s.Sequences));
    }

    [Fact]
    public void Remove_FromAGrownGroup_KeepsEveryOtherSubscriberInOrder()
    {
        RecordingSubscriber[] subscribers = AddQuoteSubscribers(37);

        Assert.True(_kit.Router.Remove(subscribers[5], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
        Assert.True(_kit.Router.Remove(subscribers[36], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
        Assert.False(_kit.Router.Remove(subscribers[5], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
        var late = new RecordingSubscriber();
        _kit.Router.Add(late, 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));

        _kit.Quote(0, bid: 10_000);

        Assert.Equal(36, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        Assert.Equal(36, _kit.Router.Offers);
        Assert.Empty(subscribers[5].Sequences);
        Assert.Empty(subscribers[36].Sequences);
        Assert.Single(late.Sequences);
        Assert.All(subscribers.Where((_, i) => i != 5 && i != 36), s => Assert.Single(s.Sequences));
    }

    [Fact(Timeout = 30_000)]
    public async Task Publish_WhileAnotherThreadAddsAndRemoves_ReachesEveryPresentSubscriberOnce_AndNeverANull()
    {
        const int Permanent = 1200; // grows the array through nine doublings (4 to 2,048) under the reader
        var permanent = new RecordingSubscriber[Permanent];
        var addedAfter = new long[Permanent]; // publishes started before the Add returned
        long publishesStarted = 0;
        bool churnDone = false;

        Task churn = Task.Run(() =>
        {
            try
            {
                Churn();
            }
            finally
            {
                Volatile.Write(ref churnDone, true);
            }
        });

        void Churn()
        {
            for (int i = 0; i < Permanent; i++)
            {
                permanent[i] = new RecordingSubscriber();
                _kit.Router.Add(permanent[i], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));
                addedAfter[i] = Interlocked.Read(ref publishesStarted);

                // Transient subscribers come and go around the permanent ones, replacing the array under the reader.
                var transient = new RecordingSubscriber();
                _kit.Router.Add(transient, 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));
                if (i % 3 == 0)
                {
                    Thread.Yield();
                }

                Assert.True(_kit.Router.Remove(transient, 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0)));
            }
        }

        // The test thread is the ingest thread: quote n carries seq n.
        while (!Volatile.Read(ref churnDone))
        {
            Interlocked.Increment(ref publishesStarted);
            _kit.Quote(0, bid: 10_000);
        }

        await churn.WaitAsync(TimeSpan.FromSeconds(30));
        Interlocked.Increment(ref publishesStarted);
        _kit.Quote(0, bid: 10_001);
        long last = publishesStarted;

        // A null or torn slot would have thrown inside the fan-out and been counted here.
        Assert.Equal(0, _kit.Router.SubscriberErrors);
        Assert.Equal(Permanent, _kit.Router.CountSubscribers(0, MarketChannel.Quote));
        for (int i = 0; i < Permanent; i++)
        {
            List<long> seen = permanent[i].Sequences;
            Assert.True(seen.SequenceEqual(seen.Distinct().Order()), $"subscriber {i} got a seq twice or out of order");

            // Every publish that began after its Add returned must have reached it.
            long first = addedAfter[i] + 1;
            int fromFirst = seen.Count(n => n >= first);
            Assert.True(fromFirst == last - first + 1, $"subscriber {i} got {fromFirst} of publishes {first}..{last}, which all began after its Add");
        }
    }

    public void Dispose() => _kit.Dispose();

    /// <summary>Subscribes <paramref name="count"/> new recording subscribers to instrument 0's JSON quotes.</summary>
    private RecordingSubscriber[] AddQuoteSubscribers(int count)
    {
        var subscribers = new RecordingSubscriber[count];
        for (int i = 0; i < count; i++)
        {
            subscribers[i] = new RecordingSubscriber();
            _kit.Router.Add(subscribers[i], 0, MarketChannel.Quote, new WireVariant(WireEncoding.Json, deflate: false, 0));
        }

        return subscribers;
    }

    /// <summary>Records the seq of each update; only the ingest thread calls it, and tests read it after that thread stops.</summary>
    private sealed class RecordingSubscriber : IUpdateSubscriber
    {
        public List<long> Sequences { get; } = [];

        public EnqueueResult TryEnqueue(OutboundMessage message, long sequence, long timestamp)
        {
            Sequences.Add(sequence);
            return EnqueueResult.Enqueued;
        }

        public EnqueueResult TryEnqueueStatus(OutboundMessage message, long eventStamp) => EnqueueResult.Enqueued;
    }
}
