using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using MarketPush.Engine.Buffers;
using MarketPush.Engine.Routing;
using MarketPush.Engine.Sessions;
using MarketPush.Engine.Transport;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// Fan-out stage, on the ingest thread: one quote update goes through the real <see cref="SubscriptionRouter.OnQuote"/>
/// (encoded once, framed once into a pooled <see cref="OutboundMessage"/>) to N sessions subscribed to that symbol's
/// quote channel, each a real <see cref="ConflatingDelivery"/> + <see cref="OutboundQueue"/> built by
/// <see cref="SubscriptionCommands"/> exactly as a connection's subscribe command builds them (the shared
/// <see cref="SubscribedSessions"/> rig), without a socket. One operation is one update delivered to all N; the
/// <c>ns/delivery</c> column divides the mean by N.
/// </summary>
/// <remarks>
/// The measured part includes draining every queue (dequeue + release, what each send loop does before writing),
/// because BenchmarkDotNet's per-iteration cleanup would force one invocation per iteration, far too coarse for a
/// sub-microsecond operation; without the drain the queues fill after 1,024 updates and the router starts conflating.
/// Budget: 0 bytes per operation (so 0 per delivery): frames and messages are pooled, the queues' rings are grown in setup.
/// <para>
/// <see cref="FanOutQuoteToFullQueues"/> is the other half of a saturated fan-out (goal G1: 1,000 connections offered
/// 4M deliveries/s, most of which are conflated once the clients fall behind): every queue is at its bound and every
/// subscription already holds a value, so each delivery replaces the held value (the conflation path) and nothing is
/// drained. Sessions are wired as the server wires them, with metrics listened to and server-wide totals.
/// </para>
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
[Config(typeof(PerDeliveryConfig))]
public class RouterFanOutBenchmarks
{
    private const string SubscribeQuotes = """{"op":"subscribe","symbols":["{symbol}"],"channels":["quote"],"snapshot":false}""";

    private SubscribedSessions _sessions = null!;
    private long _sequence;
    private long _timestamp = 1_763_800_000_000_000;

    [Params(1, 100, 10000)]
    public int Subscribers { get; set; }

    [GlobalSetup(Target = nameof(FanOutQuote))]
    public void Setup()
    {
        CreateSessions(new SessionLimits());

        // Warm the path once so the rings and pools are at their working size.
        FanOutQuote();
    }

    [GlobalSetup(Target = nameof(FanOutQuoteToFullQueues))]
    public void SetupFullQueues()
    {
        // No 4001 while measuring: the queues stay full for the whole run on purpose.
        CreateSessions(new SessionLimits { SlowConsumerMs = 24 * 3600 * 1000 });

        // Fill every queue to its frame bound, then one more update so every subscription holds a value.
        for (int i = 0; i <= OutboundQueue.DefaultMaxFrames; i++)
        {
            FanOutQuoteToFullQueues();
        }

        foreach (ConflatingDelivery slots in _sessions.Slots)
        {
            if (slots.QueueWaitCount != 1)
            {
                throw new InvalidOperationException("A session is not waiting for queue space.");
            }
        }
    }

    [Benchmark]
    public void FanOutQuote()
    {
        long sequence = ++_sequence;
        long bid = 18_000 + (sequence & 63);
        _sessions.Router.OnQuote(_sessions.Instrument, sequence, _timestamp += 1_000, new Quote(bid, 100, bid + 2, 200));
        _sessions.Drain();
    }

    /// <summary>One update offered to N sessions whose queues are full: N conflations, nothing queued or drained.</summary>
    [Benchmark]
    public void FanOutQuoteToFullQueues()
    {
        long sequence = ++_sequence;
        long bid = 18_000 + (sequence & 63);
        _sessions.Router.OnQuote(_sessions.Instrument, sequence, _timestamp += 1_000, new Quote(bid, 100, bid + 2, 200));
    }

    [GlobalCleanup]
    public void Cleanup() => _sessions.Dispose();

    private void CreateSessions(SessionLimits limits)
    {
        _sessions = new SubscribedSessions(Subscribers, SubscribeQuotes, limits: limits);
        if (_sessions.Router.CountSubscribers(_sessions.Instrument.Id, MarketChannel.Quote) != Subscribers)
        {
            throw new InvalidOperationException("Not every session subscribed.");
        }
    }

    /// <summary>Adds the <c>ns/delivery</c> column: mean time per operation divided by the subscriber count.</summary>
    private sealed class PerDeliveryConfig : ManualConfig
    {
        public PerDeliveryConfig() => AddColumn(new PerDeliveryColumn());
    }

    private sealed class PerDeliveryColumn : IColumn
    {
        public string Id => nameof(PerDeliveryColumn);

        public string ColumnName => "ns/delivery";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Mean time per operation divided by the number of subscribers it was delivered to";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, summary.Style);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            object? subscribers = benchmarkCase.Parameters[nameof(Subscribers)];
            if (report?.ResultStatistics is null || subscribers is not int count || count == 0)
            {
                return "-";
            }

            return (report.ResultStatistics.Mean / count).ToString("N2", CultureInfo.InvariantCulture);
        }

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

        public bool IsAvailable(Summary summary) => true;
    }
}
