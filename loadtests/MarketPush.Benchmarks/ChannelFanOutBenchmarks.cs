using BenchmarkDotNet.Attributes;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Sessions;
using MarketPush.Protocol.Messages;

namespace MarketPush.Benchmarks;

/// <summary>
/// Fan-out stage, on the ingest thread, for the channels <see cref="RouterFanOutBenchmarks"/> (quotes) does not
/// cover: one trade, one book update, one status change through the real <see cref="SubscriptionRouter"/> to N
/// sessions (<see cref="SubscribedSessions"/>), and quotes to sessions subscribed with a <c>maxRate</c>, where most
/// updates are held and replaced in the subscription's slot and the timer wheel sends the newest one when the rate
/// allows. One operation is one update offered to all N; each send loop's drain is included, as in
/// <see cref="RouterFanOutBenchmarks.FanOutQuote"/>. Budget: 0 bytes per operation for all four.
/// </summary>
/// <remarks>
/// <see cref="FanOutBook"/> includes the last-value cache's apply step that produces the per-tier deltas the router
/// encodes (<see cref="LastValueCache.ApplyBook"/>, as the ingest stage calls it), on a book of 8 levels a side
/// whose sizes change. <see cref="FanOutStatus"/> goes to sessions subscribed to all three channels of the symbol,
/// so the per-session de-duplication of status (one message per session, not per subscription) is measured too.
/// <see cref="FanOutQuoteAtMaxRate"/> runs on a <see cref="BenchmarkClock"/>: each operation is 1 ms of market time
/// at maxRate 100, so about one update in ten reaches a queue and the other nine replace the held value.
/// </remarks>
[MemoryDiagnoser]
[MinColumn]
[MedianColumn]
public class ChannelFanOutBenchmarks
{
    private const int BookLevelsPerSide = 8;
    private const double MaxRate = 100;

    private readonly BookLevelChange[] _bookChanges = new BookLevelChange[2];
    private readonly BookUpdate _bookUpdate = new();
    private SubscribedSessions _sessions = null!;
    private BenchmarkClock _clock = null!;
    private long _sequence;
    private long _timestamp = 1_763_800_000_000_000;

    [Params(1, 100, 1000)]
    public int Subscribers { get; set; }

    [GlobalSetup(Target = nameof(FanOutTrade))]
    public void SetupTrade()
    {
        _sessions = new SubscribedSessions(Subscribers, Subscribe("trade"));
        ExpectFramesPerOperation(FanOutTrade, Subscribers);
    }

    [GlobalSetup(Target = nameof(FanOutBook))]
    public void SetupBook()
    {
        _sessions = new SubscribedSessions(Subscribers, Subscribe("book"));

        // A full book first, so every later update changes a level inside the depth-10 window of every session.
        long sequence = 0;
        for (int level = 0; level < BookLevelsPerSide; level++)
        {
            ReadOnlySpan<BookLevelChange> both =
            [
                new BookLevelChange(BookSide.Bid, 18_000 - level, 100),
                new BookLevelChange(BookSide.Ask, 18_002 + level, 100),
            ];
            _sessions.Cache.ApplyBook(_sessions.Instrument.Id, ++sequence, _timestamp, both, _bookUpdate);
        }

        _sequence = sequence;
        _sessions.Drain();
        ExpectFramesPerOperation(FanOutBook, Subscribers);
    }

    [GlobalSetup(Target = nameof(FanOutStatus))]
    public void SetupStatus()
    {
        _sessions = new SubscribedSessions(Subscribers, Subscribe("quote\",\"trade\",\"book"));
        ExpectFramesPerOperation(FanOutStatus, Subscribers);
    }

    [GlobalSetup(Target = nameof(FanOutQuoteAtMaxRate))]
    public void SetupMaxRate()
    {
        _clock = new BenchmarkClock();
        _sessions = new SubscribedSessions(Subscribers, Subscribe("quote", $",\"maxRate\":{MaxRate}"), _clock);

        // 1 s of market time at 1 ms per update: each session gets about 100 (the rate), not 1,000, and the wheel
        // rounds each wait up to its 5 ms resolution, so a little fewer.
        int frames = 0;
        for (int i = 0; i < 1000; i++)
        {
            frames += FanOutQuoteAtMaxRate();
        }

        long conflated = 0;
        foreach (ConflatingDelivery slots in _sessions.Slots)
        {
            conflated += slots.Conflated;
        }

        if (frames < Subscribers * 60 || frames > Subscribers * 101 || conflated < Subscribers * 800L)
        {
            throw new InvalidOperationException($"maxRate {MaxRate}: {frames} frames to {Subscribers} sessions in 1 s, {conflated} conflated.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _sessions.Dispose();

    [Benchmark]
    public int FanOutTrade()
    {
        long sequence = ++_sequence;
        _sessions.Router.OnTrade(_sessions.Instrument, sequence, _timestamp += 1_000, new Trade(18_001 + (sequence & 7), 5, (sequence & 1) == 0 ? TradeSide.Buy : TradeSide.Sell));
        return _sessions.Drain();
    }

    [Benchmark]
    public int FanOutBook()
    {
        long sequence = ++_sequence;
        int level = (int)(sequence % BookLevelsPerSide);
        long size = 100 + (sequence & 31);
        _bookChanges[0] = new BookLevelChange(BookSide.Bid, 18_000 - level, size);
        _bookChanges[1] = new BookLevelChange(BookSide.Ask, 18_002 + level, size + 1);
        _sessions.Cache.ApplyBook(_sessions.Instrument.Id, sequence, _timestamp += 1_000, _bookChanges, _bookUpdate);
        _sessions.Router.OnBook(_sessions.Instrument, sequence, _timestamp, _bookUpdate);
        return _sessions.Drain();
    }

    [Benchmark]
    public int FanOutStatus()
    {
        FeedState state = (++_sequence & 1) == 0 ? FeedState.Open : FeedState.Halted;
        _sessions.Cache.SetState(_sessions.Instrument.Id, state, _timestamp += 1_000);
        _sessions.Router.OnStatus(_sessions.Instrument, state, _timestamp);
        return _sessions.Drain();
    }

    [Benchmark]
    public int FanOutQuoteAtMaxRate()
    {
        long sequence = ++_sequence;
        long bid = 18_000 + (sequence & 63);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _sessions.Router.OnQuote(_sessions.Instrument, sequence, _timestamp += 1_000, new Quote(bid, 100, bid + 2, 200));
        _sessions.Wheel.Tick();
        return _sessions.Drain();
    }

    private static string Subscribe(string channels, string extra = "") =>
        "{\"op\":\"subscribe\",\"symbols\":[\"{symbol}\"],\"channels\":[\"" + channels + "\"],\"snapshot\":false" + extra + "}";

    // Proves in setup that an operation reaches every session (and warms the rings and pools to their working size).
    private static void ExpectFramesPerOperation(Func<int> operation, int expected)
    {
        for (int i = 0; i < 3; i++)
        {
            int frames = operation();
            if (frames != expected)
            {
                throw new InvalidOperationException($"An update reached {frames} queue(s), not {expected}.");
            }
        }
    }
}
