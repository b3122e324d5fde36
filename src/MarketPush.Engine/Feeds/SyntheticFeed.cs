using System.Threading.Channels;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds;

/// <summary>
/// The embedded default feed: a deterministic market generator. Every instrument of the catalog has a 50-level
/// book per side (see SyntheticFeed.Market.cs); each "quote event" changes the top of one instrument's book
/// (a size change or a one-level move that walks the mid at tick-grid steps), and produces a quote tick, sometimes
/// preceded by a trade at or inside the quote and sometimes followed by a book update carrying every level that
/// changed since the last one. Events visit the instruments round robin, so <c>QuotesPerSecond</c> is spread evenly.
/// Determinism: the event sequence depends only on the seed and the catalog (one PCG32 stream per instrument);
/// wall-clock time affects only the timestamps and how many events are due, never their content.
/// Threading: <see cref="RunAsync"/> runs on one task and is the only writer of its channel; the generator methods
/// are not thread-safe. Allocation: none per tick (ticks are structs written from one reused scratch array).
/// </summary>
public sealed partial class SyntheticFeed : IFeedAdapter
{
    /// <summary>Most ticks <see cref="WriteNextEvent"/> produces: trade, quote and up to two book updates.</summary>
    public const int MaxTicksPerEvent = 2 + (2 * MaxDirtyLevels);

    /// <summary>Most ticks <see cref="WriteSnapshot"/> produces: both sides of the book and a quote.</summary>
    public const int MaxSnapshotTicks = (2 * BookDepth.Max) + 1;

    /// <summary>The longest backlog the pacing catches up on; beyond it time slots are skipped (events never are).</summary>
    private static readonly TimeSpan s_maxBacklog = TimeSpan.FromSeconds(1);

    private readonly SyntheticFeedOptions _options;
    private readonly TimeProvider _time;
    private long _eventsGenerated;
    private long _skippedSlots;

    public SyntheticFeed(InstrumentCatalog catalog, SyntheticFeedOptions? options = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        _options = options ?? new SyntheticFeedOptions();
        _time = timeProvider ?? TimeProvider.System;
        Catalog = catalog;
        _market = new MarketState(catalog, unchecked((ulong)_options.Seed));
    }

    public string Name => "synthetic";

    public InstrumentCatalog Catalog { get; }

    /// <summary>Quote events generated so far (read from any thread; approximate while running).</summary>
    public long EventsGenerated => Volatile.Read(ref _eventsGenerated);

    /// <summary>Event slots skipped because the channel's consumer fell more than a second behind.</summary>
    public long SkippedSlots => Volatile.Read(ref _skippedSlots);

    public async Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var scratch = new Tick[Math.Max(MaxTicksPerEvent, MaxSnapshotTicks)];

        try
        {
            // Every consumer starts from a full picture: each instrument's whole book and its quote.
            for (int id = 0; id < Catalog.Count; id++)
            {
                await WriteAsync(output, scratch, WriteSnapshot(id, scratch, WallClockMicros()), cancellationToken).ConfigureAwait(false);
            }

            double rate = _options.QuotesPerSecond;
            if (rate <= 0)
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    await WriteAsync(output, scratch, WriteNextEvent(scratch, WallClockMicros()), cancellationToken).ConfigureAwait(false);
                }

                return;
            }

            // Wake once per event slot (but at most every 1 ms, and at least once a second) and emit whatever the clock
            // says is due. The slot spacing bounds nothing else: each event is stamped when it is written, so a long
            // period adds no latency, and a slow feed (--rate 1) costs one wake-up per event instead of 50 a second.
            var period = TimeSpan.FromSeconds(Math.Clamp(1.0 / rate, 0.001, s_maxBacklog.TotalSeconds));
            using var timer = new PeriodicTimer(period, _time);
            long paceStart = _time.GetTimestamp();
            long emitted = 0;
            long maxBacklog = Math.Max(1, (long)(rate * s_maxBacklog.TotalSeconds));
            while (true)
            {
                long due = (long)(_time.GetElapsedTime(paceStart).TotalSeconds * rate);
                if (due - emitted > maxBacklog)
                {
                    Volatile.Write(ref _skippedSlots, _skippedSlots + (due - emitted - maxBacklog));
                    emitted = due - maxBacklog;
                }

                while (emitted < due)
                {
                    await WriteAsync(output, scratch, WriteNextEvent(scratch, WallClockMicros()), cancellationToken).ConfigureAwait(false);
                    emitted++;
                }

                await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
    }

    /// <summary>
    /// Writes the next quote event (round robin over instruments) into <paramref name="destination"/> (at least
    /// <see cref="MaxTicksPerEvent"/> long) and returns the tick count. Deterministic for the seed.
    /// </summary>
    public int WriteNextEvent(Span<Tick> destination, long timestamp)
    {
        int count = _market.WriteNextEvent(destination, timestamp, _options.TradesPerQuote, _options.BookUpdatesPerQuote);
        Volatile.Write(ref _eventsGenerated, _eventsGenerated + 1);
        return count;
    }

    /// <summary>
    /// Writes one instrument's whole current book (one book update) and its quote into <paramref name="destination"/>
    /// (at least <see cref="MaxSnapshotTicks"/> long): the state a fresh consumer starts from.
    /// </summary>
    public int WriteSnapshot(int instrumentId, Span<Tick> destination, long timestamp) => _market.WriteSnapshot(instrumentId, destination, timestamp);

    /// <summary>Copies the feed's own book side, best first; returns the level count. For tests and diagnostics.</summary>
    public int CopyBook(int instrumentId, BookSide side, Span<BookLevel> destination) => _market.CopyBook(instrumentId, side, destination);

    /// <summary>
    /// The wall clock in PROTOCOL.md <c>ts</c> units (µs since the Unix epoch), read per event: clients on the same host
    /// compare <c>ts</c> with their own wall clock, so it must not be a monotonic offset fixed at start (the two clocks were
    /// read at two different moments, and drift apart whenever the wall clock is stepped or adjusted). One vDSO
    /// <c>clock_gettime</c> per event, the same cost as the monotonic read it replaces.
    /// </summary>
    private long WallClockMicros() => (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;

    /// <summary>Writes the ticks, waiting for room when the channel is full (back-pressure reaches the generator, nothing is dropped).</summary>
    private static ValueTask WriteAsync(ChannelWriter<Tick> output, Tick[] ticks, int count, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            if (!output.TryWrite(ticks[i]))
            {
                return WriteSlowAsync(output, ticks, i, count, cancellationToken);
            }
        }

        return ValueTask.CompletedTask;
    }

    private static async ValueTask WriteSlowAsync(ChannelWriter<Tick> output, Tick[] ticks, int start, int count, CancellationToken cancellationToken)
    {
        for (int i = start; i < count; i++)
        {
            while (!output.TryWrite(ticks[i]))
            {
                if (!await output.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw new ChannelClosedException("The tick channel was completed while the synthetic feed was running.");
                }
            }
        }
    }
}
