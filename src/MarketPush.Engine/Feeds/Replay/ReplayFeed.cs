using System.Threading.Channels;
using MarketPush.Engine.Feeds.Capture;
using MarketPush.Engine.Ingest;
using MarketPush.Engine.Instruments;
using MarketPush.Protocol.Encodings;
using MarketPush.Protocol.Messages;

namespace MarketPush.Engine.Feeds.Replay;

/// <summary>
/// A feed that plays a capture file (<see cref="CaptureFormat"/>): <c>--feed replay:PATH</c>. Events go out in file
/// order, paced by their recorded times divided by <see cref="ReplayFeedOptions.Speed"/> (or unpaced at <c>max</c>),
/// and their <c>ts</c> is rebased to now: the first event gets the time the replay started and each later one the
/// start plus its recorded offset divided by the speed (at <c>max</c>, the moment it is emitted), so latency
/// figures and clients' clocks stay meaningful. Symbols map to the catalog as <c>SymbolPrefix + recorded symbol</c>;
/// events of symbols the catalog lacks are skipped and counted; prices are rescaled when the catalog's decimals
/// differ from the recording's.
/// Back-pressure: a replay never drops; when the ingest channel is full it waits.
/// Loop: at the end of the file the replay empties every book it filled (a removal per level, one book update per
/// instrument), so the next pass starts from the same empty books the recording started from, and the timeline
/// continues where the pass ended.
/// A defect in the file ends <see cref="RunAsync"/> with a <see cref="CaptureFormatException"/> naming the file and
/// offset; every event before it has been written to the channel already.
/// Threading: <see cref="RunAsync"/> runs on one task, the channel's only writer. Allocation: none per event
/// (one batch array and per-symbol routes, built once).
/// </summary>
public sealed class ReplayFeed : IFeedAdapter
{
    private const int BatchSize = 512;

    /// <summary>Pacing sleeps only for gaps longer than this; shorter ones are emitted on time by the next wake-up.</summary>
    private const long MinSleepMicros = 1_000;

    /// <summary>Capture time between the last event of a pass and the first of the next.</summary>
    private const long LoopGapMicros = 1_000;

    private readonly ReplayFeedOptions _options;
    private readonly InstrumentCatalog _catalog;
    private readonly TimeProvider _time;
    private long _eventsPlayed;
    private long _unknownSymbolEvents;
    private int _passes;

    public ReplayFeed(ReplayFeedOptions options, InstrumentCatalog catalog, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        if (!(options.Speed > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Speed, "The replay speed must be above 0.");
        }

        _options = options;
        _catalog = catalog;
        _time = timeProvider ?? TimeProvider.System;
    }

    public string Name => _options.Name;

    public ReplayFeedOptions Options => _options;

    /// <summary>Events written to the channel so far (any thread).</summary>
    public long EventsPlayed => Volatile.Read(ref _eventsPlayed);

    /// <summary>Events skipped because the catalog has no instrument for their symbol.</summary>
    public long UnknownSymbolEvents => Volatile.Read(ref _unknownSymbolEvents);

    /// <summary>Complete passes over the file.</summary>
    public int Passes => Volatile.Read(ref _passes);

    /// <summary>The symbols of a capture (its header's declarations, or a scan): what a replay of it needs in the catalog.</summary>
    public static Task<IReadOnlyList<CaptureSymbol>> ReadSymbolsAsync(string path, CancellationToken cancellationToken = default) =>
        CsvCaptureReader.ReadSymbolsAsync(path, cancellationToken);

    public async Task RunAsync(ChannelWriter<Tick> output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var batch = new Tick[BatchSize];
        BookShadow? shadow = _options.Loop ? new BookShadow() : null;
        if (_options.StartDelay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(_options.StartDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }

        long startTimestamp = _time.GetTimestamp();
        long startMicros = (_time.GetUtcNow().UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / TimeSpan.TicksPerMicrosecond;
        double speed = _options.Speed;
        bool paced = !double.IsPositiveInfinity(speed);
        long firstRecorded = long.MinValue; // recorded time of the first event of the first pass
        long passOffset = 0;                // added to recorded times in this pass (loops continue the timeline)

        try
        {
            do
            {
                long passLast = long.MinValue;
                using (CsvCaptureReader reader = CsvCaptureReader.Open(_options.Path))
                {
                    var routes = new List<int>();
                    int n;
                    while ((n = await reader.ReadAsync(batch, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        long batchNow = startMicros + ElapsedMicros(startTimestamp);
                        for (int i = 0; i < n; i++)
                        {
                            Tick recorded = batch[i];
                            int id = Route(reader, routes, recorded.InstrumentId);
                            if (id < 0)
                            {
                                Interlocked.Increment(ref _unknownSymbolEvents);
                                continue;
                            }

                            if (firstRecorded == long.MinValue)
                            {
                                firstRecorded = recorded.Timestamp;
                            }

                            passLast = recorded.Timestamp;
                            long timestamp;
                            if (paced)
                            {
                                long dueMicros = (long)((recorded.Timestamp + passOffset - firstRecorded) / speed);
                                long early = dueMicros - ElapsedMicros(startTimestamp);
                                if (early >= MinSleepMicros)
                                {
                                    await Task.Delay(TimeSpan.FromTicks(early * TimeSpan.TicksPerMicrosecond), _time, cancellationToken).ConfigureAwait(false);
                                }

                                timestamp = startMicros + dueMicros;
                            }
                            else
                            {
                                timestamp = batchNow;
                            }

                            Tick tick = Rebase(recorded, id, timestamp, reader.Symbols[recorded.InstrumentId].Decimals);
                            shadow?.Apply(tick);
                            if (!output.TryWrite(tick))
                            {
                                await WriteSlowAsync(output, tick, cancellationToken).ConfigureAwait(false);
                            }

                            Volatile.Write(ref _eventsPlayed, _eventsPlayed + 1);
                        }
                    }
                }

                Interlocked.Increment(ref _passes);
                if (shadow is null || passLast == long.MinValue)
                {
                    break;
                }

                long clearTime = paced
                    ? startMicros + (long)((passLast + passOffset - firstRecorded) / speed)
                    : startMicros + ElapsedMicros(startTimestamp);
                await shadow.ClearAsync(output, clearTime, cancellationToken).ConfigureAwait(false);
                passOffset += passLast - firstRecorded + LoopGapMicros;
            }
            while (!cancellationToken.IsCancellationRequested);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out.
        }
    }

    private long ElapsedMicros(long startTimestamp) => _time.GetElapsedTime(startTimestamp).Ticks / TimeSpan.TicksPerMicrosecond;

    /// <summary>The catalog id of a capture symbol (-1: not in the catalog), resolved on its first event.</summary>
    private int Route(CsvCaptureReader reader, List<int> routes, int symbolIndex)
    {
        while (routes.Count <= symbolIndex)
        {
            CaptureSymbol symbol = reader.Symbols[routes.Count];
            routes.Add(_catalog.TryGet(_options.SymbolPrefix + symbol.Symbol, out Instrument? instrument) ? instrument.Id : -1);
        }

        return routes[symbolIndex];
    }

    /// <summary>The tick for the catalog instrument at the rebased time, prices rescaled to the instrument's decimals.</summary>
    private Tick Rebase(in Tick recorded, int id, long timestamp, int recordedDecimals)
    {
        int shift = recordedDecimals < 0 ? 0 : _catalog[id].Decimals - recordedDecimals;
        switch (recorded.Kind)
        {
            case TickKind.Quote:
                Quote quote = recorded.Quote;
                return Tick.ForQuote(id, timestamp, new Quote(Scale(quote.BidPrice, shift), quote.BidSize, Scale(quote.AskPrice, shift), quote.AskSize));
            case TickKind.Trade:
                Trade trade = recorded.Trade;
                return Tick.ForTrade(id, timestamp, new Trade(Scale(trade.Price, shift), trade.Size, trade.Side));
            case TickKind.BookLevel:
                BookLevel level = recorded.Level;
                return Tick.ForBookLevel(id, timestamp, recorded.BookSide, Scale(level.Price, shift), level.Size, recorded.EndsBookUpdate);
            default:
                return Tick.ForStatus(id, timestamp, recorded.State);
        }
    }

    /// <summary>Moves a scaled price to other decimals (rounding half away from zero when decimals are lost).</summary>
    private static long Scale(long price, int shift)
    {
        if (shift == 0)
        {
            return price;
        }

        if (shift > 0)
        {
            return checked(price * PriceFormatter.Scale(shift));
        }

        long divisor = PriceFormatter.Scale(-shift);
        long half = divisor / 2;
        return price >= 0 ? (price + half) / divisor : (price - half) / divisor;
    }

    private static async ValueTask WriteSlowAsync(ChannelWriter<Tick> output, Tick tick, CancellationToken cancellationToken)
    {
        while (!output.TryWrite(tick))
        {
            if (!await output.WaitToWriteAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new ChannelClosedException("The tick channel was completed while the replay was running.");
            }
        }
    }

    /// <summary>
    /// The levels a looping replay has put in each book (what ingest holds, since a replay never drops), so the end of
    /// a pass can remove exactly those. Only used with <see cref="ReplayFeedOptions.Loop"/>.
    /// </summary>
    private sealed class BookShadow
    {
        private readonly Dictionary<int, Dictionary<(BookSide Side, long Price), long>> _books = [];

        public void Apply(in Tick tick)
        {
            if (tick.Kind != TickKind.BookLevel)
            {
                return;
            }

            if (!_books.TryGetValue(tick.InstrumentId, out Dictionary<(BookSide Side, long Price), long>? book))
            {
                book = [];
                _books.Add(tick.InstrumentId, book);
            }

            BookLevel level = tick.Level;
            if (level.Size == 0)
            {
                book.Remove((tick.BookSide, level.Price));
            }
            else
            {
                book[(tick.BookSide, level.Price)] = level.Size;
            }
        }

        public async ValueTask ClearAsync(ChannelWriter<Tick> output, long timestamp, CancellationToken cancellationToken)
        {
            foreach ((int id, Dictionary<(BookSide Side, long Price), long> book) in _books)
            {
                int remaining = book.Count;
                foreach ((BookSide side, long price) in book.Keys)
                {
                    remaining--;
                    Tick removal = Tick.ForBookLevel(id, timestamp, side, price, 0, remaining == 0);
                    if (!output.TryWrite(removal))
                    {
                        await WriteSlowAsync(output, removal, cancellationToken).ConfigureAwait(false);
                    }
                }

                book.Clear();
            }
        }
    }
}
